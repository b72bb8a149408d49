// SPEC §3.3: what it takes to put back a bulk-forwarding group whose start or stop died
// (a crashed process, or a database gone while the operation rolled back), leaving the group
// `starting`/`stopping` and its operation `running` for good.
import type { Executor } from '../executor.ts';
import type { BulkForwardingOperation } from '../tables/bulk-forwarding-operation.table.ts';
import { toTimestamp } from '../timestamp.ts';
import {
  findBulkForwardingGroupById,
  type BulkForwardingGroupWithMembers,
} from './bulk-forwarding-operations.ts';

/**
 * Groups that may be stuck since before `before`, ascending: those with an operation still
 * `running` that started before it, and those left `starting`/`stopping` since before it
 * (an operation that died before its own row was written leaves no operation behind).
 */
export async function listBulkForwardingGroupsToRecover(
  db: Executor,
  before: Date,
): Promise<number[]> {
  const cutoff = toTimestamp(before);
  const [withOperation, transitional] = await Promise.all([
    db
      .selectFrom('bulk_forwarding_operations')
      .select('group_id')
      .distinct()
      .where('status', '=', 'running')
      .where('started_at', '<', cutoff)
      .execute(),
    db
      .selectFrom('bulk_forwarding_groups')
      .select('id')
      .where('state', 'in', ['starting', 'stopping'])
      .where('updated_at', '<', cutoff)
      .execute(),
  ]);
  const ids = new Set([...withOperation.map((r) => r.group_id), ...transitional.map((r) => r.id)]);
  return [...ids].sort((a, b) => a - b);
}

export interface BulkForwardingGroupRecoveryFacts {
  group: BulkForwardingGroupWithMembers;
  /** The voice group of the group's site, for its history row. */
  voiceGroupId: number | null;
  /** The group's operations still `running`, oldest first. */
  running: BulkForwardingOperation[];
}

/** The group, its members and its running operations; undefined when the group is gone. */
export async function findBulkForwardingGroupRecoveryFacts(
  db: Executor,
  groupId: number,
): Promise<BulkForwardingGroupRecoveryFacts | undefined> {
  const group = await findBulkForwardingGroupById(db, groupId);
  if (group === undefined) return undefined;
  const [site, running] = await Promise.all([
    db
      .selectFrom('sites')
      .select('voice_group_id')
      .where('id', '=', group.site_id)
      .executeTakeFirst(),
    db
      .selectFrom('bulk_forwarding_operations')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('status', '=', 'running')
      .orderBy('started_at')
      .orderBy('id')
      .execute(),
  ]);
  return { group, voiceGroupId: site?.voice_group_id ?? null, running };
}

/**
 * Marks an operation `failed` (no counts) only if it is still `running`, in one UPDATE; true
 * when it did. An operation that finished meanwhile keeps its outcome.
 */
export async function failRunningBulkForwardingOperation(
  db: Executor,
  operationId: number,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_forwarding_operations')
    .set({ status: 'failed', ok_count: 0, error_count: 0, finished_at: toTimestamp(now) })
    .where('id', '=', operationId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
