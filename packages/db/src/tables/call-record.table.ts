import type { Generated, Insertable, Selectable } from 'kysely';

export type CallDirection = 'incoming' | 'outgoing' | 'internal';
export type CallerAnonymity = 'withheld' | 'payphone' | 'unavailable';
export type CallOutcome =
  'answered' | 'busy' | 'no_answer' | 'rejected' | 'forwarded' | 'voicemail' | 'failed';
/** SPEC §3.13: the tariff band of the call's start. */
export type CallRateBand = 'normal' | 'night' | 'holiday';

/**
 * SPEC §3.13: one row per call attempt, written once and never updated. Timestamps are
 * ISO 8601 UTC text like every other table's.
 */
export interface CallRecordTable {
  id: Generated<number>;
  /** The caller leg's SIP Call-ID. */
  call_id: string;
  /** The feature server that handled the call. */
  server_id: string;
  /** The subscriber number the record belongs to; null once that number is deleted. */
  number_id: number | null;
  /** Kept as the code, not a key, so the history survives the line's removal. */
  access_line_code: string | null;
  direction: CallDirection;
  /** National number; null when withheld or unavailable. */
  caller: string | null;
  caller_anonymity: CallerAnonymity | null;
  /** The dialled number. */
  called: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  ring_seconds: number | null;
  outcome: CallOutcome;
  /** The reject or forward reason ('unconditional', 'busy', 'no-answer', 'unreachable'),
   * or why an attempt ended, e.g. 'caller-cancelled'. */
  outcome_reason: string | null;
  forwarded_to: string | null;
  /** The SIP status of a failed or rejected call. */
  failure_code: number | null;
  hunt_member: string | null;
  rate_band: CallRateBand;
}

export type CallRecord = Selectable<CallRecordTable>;
export type NewCallRecord = Insertable<CallRecordTable>;
