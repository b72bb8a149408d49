import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * SPEC §3.11: what a box holds besides its messages and settings. A number without a row has
 * the system greeting and no PIN failures.
 */
export interface VoicemailBoxTable {
  number_id: number;
  /** The customer's own greeting, relative to the voicemail store; null: the system one. */
  greeting_file: string | null;
  /** Wrong PINs since the last correct one or the last lock. */
  pin_failures: Generated<number>;
  /** ISO 8601 UTC; PINs are refused until then. */
  locked_until: string | null;
  updated_at: string;
}

export type VoicemailBoxRow = Selectable<VoicemailBoxTable>;
export type NewVoicemailBoxRow = Insertable<VoicemailBoxTable>;
export type VoicemailBoxRowUpdate = Updateable<VoicemailBoxTable>;
