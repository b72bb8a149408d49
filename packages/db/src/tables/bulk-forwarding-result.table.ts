import type { Insertable, Selectable } from 'kysely';

export type BulkForwardingOutcome = 'ok' | 'error';

/** SPEC §3.3: the per-number result of one start or stop, downloadable as CSV. */
export interface BulkForwardingResultTable {
  operation_id: number;
  /** Kept as text so the result outlives the number. */
  number: string;
  outcome: BulkForwardingOutcome;
  reason: string | null;
  /** A start's slot-5 target for this number, which calls follow until the stop. */
  target: string | null;
}

export type BulkForwardingResult = Selectable<BulkForwardingResultTable>;
export type NewBulkForwardingResult = Insertable<BulkForwardingResultTable>;
