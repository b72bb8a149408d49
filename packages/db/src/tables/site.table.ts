import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §2: 拠点, a 7-digit code inside a voice group. */
export interface SiteTable {
  id: Generated<number>;
  code: string;
  voice_group_id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export type Site = Selectable<SiteTable>;
export type NewSite = Insertable<SiteTable>;
export type SiteUpdate = Updateable<SiteTable>;
