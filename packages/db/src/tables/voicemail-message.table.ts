import type { Generated, Insertable, Selectable } from 'kysely';
import type { CallerAnonymity } from './call-record.table.ts';

/** SPEC §3.11: a message is new until the owner keeps it after listening. */
export type VoicemailStatus = 'new' | 'saved';

/** SPEC §3.11: one message left in a box. The audio is a WAV file under the voicemail store. */
export interface VoicemailMessageTable {
  /** Made by the writer, 'YYYYMMDDHHmmss-<6 base36>', so ids sort by time. */
  id: string;
  number_id: number;
  /** National number; null when withheld or unavailable. */
  caller: string | null;
  caller_anonymity: CallerAnonymity | null;
  /** The number dialled (it reached the box by forwarding). */
  called: string;
  /** When the call reached the box (ISO 8601 UTC). */
  received_at: string;
  duration_ms: number;
  status: Generated<VoicemailStatus>;
  /** Relative to the voicemail store directory. */
  audio_file: string;
  /** The caller leg's SIP Call-ID, to find its call record. */
  call_id: string | null;
  created_at: string;
}

export type VoicemailMessageRow = Selectable<VoicemailMessageTable>;
export type NewVoicemailMessageRow = Insertable<VoicemailMessageTable>;
