import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §2: a customer / contract group, code like VG00001. */
export interface VoiceGroupTable {
  id: Generated<number>;
  code: string;
  name: string;
  /** IANA zone used by scheduled forwarding and rate bands (SPEC §3.2). */
  time_zone: Generated<string>;
  created_at: string;
  updated_at: string;
}

export type VoiceGroup = Selectable<VoiceGroupTable>;
export type NewVoiceGroup = Insertable<VoiceGroupTable>;
export type VoiceGroupUpdate = Updateable<VoiceGroupTable>;
