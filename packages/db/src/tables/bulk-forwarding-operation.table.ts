import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type BulkForwardingOperationKind = 'start' | 'stop';
/** SPEC §4: background jobs show `running` → `done` (or `failed`). */
export type BulkForwardingOperationStatus = 'running' | 'done' | 'failed';

/** SPEC §3.3: one start or stop of a bulk-forwarding group. */
export interface BulkForwardingOperationTable {
  id: Generated<number>;
  group_id: number;
  kind: BulkForwardingOperationKind;
  status: BulkForwardingOperationStatus;
  actor: string;
  started_at: string;
  finished_at: string | null;
  ok_count: Generated<number>;
  error_count: Generated<number>;
}

export type BulkForwardingOperation = Selectable<BulkForwardingOperationTable>;
export type NewBulkForwardingOperation = Insertable<BulkForwardingOperationTable>;
export type BulkForwardingOperationUpdate = Updateable<BulkForwardingOperationTable>;
