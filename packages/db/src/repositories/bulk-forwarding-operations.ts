import type { Executor } from '../executor.ts';
import type {
  BulkForwardingGroup,
  BulkForwardingState,
} from '../tables/bulk-forwarding-group.table.ts';
import type {
  BulkForwardingOperation,
  BulkForwardingOperationKind,
  BulkForwardingOperationStatus,
} from '../tables/bulk-forwarding-operation.table.ts';
import type { BulkForwardingOutcome } from '../tables/bulk-forwarding-result.table.ts';
import { toTimestamp } from '../timestamp.ts';

export interface BulkForwardingGroupMember {
  numberId: number;
  number: string;
}

export interface BulkForwardingGroupWithMembers extends BulkForwardingGroup {
  /** Ordered by number. */
  members: BulkForwardingGroupMember[];
}

/** The group and its member numbers (two queries). */
export async function findBulkForwardingGroupById(
  db: Executor,
  groupId: number,
): Promise<BulkForwardingGroupWithMembers | undefined> {
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .selectAll()
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (group === undefined) return undefined;
  const members = await db
    .selectFrom('bulk_forwarding_members as m')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .select(['n.id', 'n.number'])
    .where('m.group_id', '=', groupId)
    .orderBy('n.number')
    .execute();
  return { ...group, members: members.map((m) => ({ numberId: m.id, number: m.number })) };
}

/**
 * SPEC §3.3: moves the group to `to` only if it is in one of `from`, in one UPDATE. True when
 * it moved; of two callers racing on the same group exactly one sees true.
 */
export async function transitionBulkForwardingGroup(
  db: Executor,
  groupId: number,
  from: BulkForwardingState[],
  to: BulkForwardingState,
  now: Date,
): Promise<boolean> {
  if (from.length === 0) return false;
  const result = await db
    .updateTable('bulk_forwarding_groups')
    .set({ state: to, updated_at: toTimestamp(now) })
    .where('id', '=', groupId)
    .where('state', 'in', from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export interface BulkForwardingOperationInput {
  groupId: number;
  kind: BulkForwardingOperationKind;
  actor: string;
}

/** Opens an operation in `running`; returns its id. */
export async function insertBulkForwardingOperation(
  db: Executor,
  input: BulkForwardingOperationInput,
  now: Date,
): Promise<number> {
  const row = await db
    .insertInto('bulk_forwarding_operations')
    .values({
      group_id: input.groupId,
      kind: input.kind,
      status: 'running',
      actor: input.actor,
      started_at: toTimestamp(now),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface BulkForwardingOperationEnd {
  status: Exclude<BulkForwardingOperationStatus, 'running'>;
  okCount: number;
  errorCount: number;
}

export async function finishBulkForwardingOperation(
  db: Executor,
  operationId: number,
  end: BulkForwardingOperationEnd,
  now: Date,
): Promise<void> {
  await db
    .updateTable('bulk_forwarding_operations')
    .set({
      status: end.status,
      ok_count: end.okCount,
      error_count: end.errorCount,
      finished_at: toTimestamp(now),
    })
    .where('id', '=', operationId)
    .execute();
}

export async function findBulkForwardingOperation(
  db: Executor,
  operationId: number,
): Promise<BulkForwardingOperation | undefined> {
  return db
    .selectFrom('bulk_forwarding_operations')
    .selectAll()
    .where('id', '=', operationId)
    .executeTakeFirst();
}

/** A group's operations, newest first. */
export async function listBulkForwardingOperations(
  db: Executor,
  groupId: number,
): Promise<BulkForwardingOperation[]> {
  return db
    .selectFrom('bulk_forwarding_operations')
    .selectAll()
    .where('group_id', '=', groupId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export interface BulkForwardingNumberResult {
  number: string;
  outcome: BulkForwardingOutcome;
  reason: string | null;
  /** For a start: the slot-5 target recorded (null when refused). */
  target?: string | null;
}

/** 5 columns: 5,000 rows per statement stay below either dialect's parameter limit. */
const RESULT_CHUNK_ROWS = 5000;

/** Stores per-number results with multi-row INSERTs (one statement for a full group). */
export async function insertBulkForwardingResults(
  db: Executor,
  operationId: number,
  results: BulkForwardingNumberResult[],
): Promise<void> {
  const rows = results.map((r) => ({
    operation_id: operationId,
    number: r.number,
    outcome: r.outcome,
    reason: r.reason,
    target: r.target ?? null,
  }));
  for (let i = 0; i < rows.length; i += RESULT_CHUNK_ROWS) {
    await db
      .insertInto('bulk_forwarding_results')
      .values(rows.slice(i, i + RESULT_CHUNK_ROWS))
      .execute();
  }
}

/** Ordered by number. */
export async function listBulkForwardingResults(
  db: Executor,
  operationId: number,
): Promise<BulkForwardingNumberResult[]> {
  return db
    .selectFrom('bulk_forwarding_results')
    .select(['number', 'outcome', 'reason', 'target'])
    .where('operation_id', '=', operationId)
    .orderBy('number')
    .execute();
}

export interface StartedBulkMembership {
  numberId: number;
  groupId: number;
  /** The slot-5 target the group's start recorded for the number; null when it was refused
   * (or the group was started without a recorded start). */
  target: string | null;
}

/**
 * Numbers whose bulk-forwarding group is `started` (SPEC §3.3: they forward unconditionally
 * to the slot-5 target their start recorded), all of them or only among `numberIds`.
 * Ordered by number id.
 */
export async function listStartedBulkMemberships(
  db: Executor,
  numberIds?: number[],
): Promise<StartedBulkMembership[]> {
  if (numberIds !== undefined && numberIds.length === 0) return [];
  let q = db
    .selectFrom('bulk_forwarding_members as m')
    .innerJoin('bulk_forwarding_groups as g', 'g.id', 'm.group_id')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .leftJoin('bulk_forwarding_results as r', (join) =>
      join.onRef('r.number', '=', 'n.number').on((eb) =>
        eb(
          'r.operation_id',
          '=',
          eb
            .selectFrom('bulk_forwarding_operations as o')
            .select((o) => o.fn.max('o.id').as('id'))
            .whereRef('o.group_id', '=', 'g.id')
            .where('o.kind', '=', 'start')
            .where('o.status', '=', 'done'),
        ),
      ),
    )
    .select(['m.number_id', 'm.group_id', 'r.target', 'r.outcome'])
    .where('g.state', '=', 'started');
  if (numberIds !== undefined) q = q.where('m.number_id', 'in', numberIds);
  const rows = await q.orderBy('m.number_id').orderBy('m.group_id').execute();
  return rows.map((r) => ({
    numberId: r.number_id,
    groupId: r.group_id,
    target: r.outcome === 'ok' ? (r.target ?? null) : null,
  }));
}
