import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §2: 契約N番号, "N" + 9 digits; `channels` caps concurrent calls. */
export interface AccessLineTable {
  id: Generated<number>;
  code: string;
  site_id: number;
  channels: number;
  created_at: string;
  updated_at: string;
}

export type AccessLine = Selectable<AccessLineTable>;
export type NewAccessLine = Insertable<AccessLineTable>;
export type AccessLineUpdate = Updateable<AccessLineTable>;
