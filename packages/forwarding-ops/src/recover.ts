// SPEC §3.3: a start or stop that died halfway — its process crashed, or the database was
// unreachable while it rolled back — leaves its group `starting`/`stopping` and its operation
// `running`, and every later start and stop of the group is refused as "in progress". This
// puts such groups back where they were before the operation, once it is clearly dead.
import {
  type BulkForwardingOperation,
  type BulkForwardingState,
  failRunningBulkForwardingOperation,
  findBulkForwardingGroupRecoveryFacts,
  insertSettingHistory,
  listBulkForwardingGroupsToRecover,
  transitionBulkForwardingGroup,
} from '@ipvoice/db';
import { settingsChangedChannel } from '@ipvoice/state';
import { bulkForwardingFeature } from './bulk-forwarding.ts';
import type { ForwardingOpsDeps } from './deps.ts';
import { groupLock, lockTtlMs } from './bulk-forwarding.ts';

/**
 * Ten minutes: a start or stop of 1,000 members takes tens of milliseconds, and its group
 * lock lapses after one minute, so an operation this old is not coming back.
 */
export const defaultStaleBulkOperationMs = 10 * 60_000;

/** The actor of the history rows: this runs in the scheduler's maintenance pass. */
const recoveryActor = 'scheduler';

/** Each transitional state, the operation that enters it and the state it was entered from. */
const before = {
  starting: { kind: 'start', state: 'stopped' },
  stopping: { kind: 'stop', state: 'started' },
} as const satisfies Partial<
  Record<BulkForwardingState, { kind: BulkForwardingOperation['kind']; state: BulkForwardingState }>
>;

export interface RecoveredBulkGroup {
  groupId: number;
  from: 'starting' | 'stopping';
  to: BulkForwardingState;
}

export interface BulkRecoveryReport {
  /** Groups put back in the state they had before their dead operation. */
  recovered: RecoveredBulkGroup[];
  /** Operations marked `failed`, whether or not their group needed putting back. */
  failedOperations: number[];
  /** Groups whose recovery failed and was rolled back; the next run tries them again. */
  failed: number[];
}

/**
 * Marks `failed` every operation still `running` that started more than `olderThanMs` ago,
 * and returns its group, if still in that operation's transitional state, to the state
 * before it (`starting` → `stopped`, `stopping` → `started`). A group left transitional
 * that long with no operation at all (one that died before writing its operation) is
 * returned too. Per group, in one transaction: the operations, the conditional transition
 * and one `setting_history` row (actor `scheduler`, action `recover`); then its members are
 * published on `settingsChangedChannel`. Runs under the group lock a start or stop takes, so
 * it waits for a live operation and then finds it finished.
 */
export async function recoverStaleBulkOperations(
  deps: ForwardingOpsDeps,
  olderThanMs: number = defaultStaleBulkOperationMs,
): Promise<BulkRecoveryReport> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
    throw new RangeError(`olderThanMs must be a duration in ms, not ${olderThanMs}`);
  const cutoff = deps.clock.now() - olderThanMs;
  const report: BulkRecoveryReport = { recovered: [], failedOperations: [], failed: [] };
  for (const groupId of await listBulkForwardingGroupsToRecover(deps.db, new Date(cutoff))) {
    try {
      const done = await deps.state.withLock(groupLock(groupId), lockTtlMs, () =>
        recoverGroup(deps, groupId, cutoff),
      );
      report.failedOperations.push(...done.failedOperations);
      if (done.recovered !== undefined) report.recovered.push(done.recovered);
    } catch (err) {
      deps.logger.error({ err, groupId }, 'bulk forwarding: recovery of a stale group failed');
      report.failed.push(groupId);
    }
  }
  return report;
}

async function recoverGroup(
  deps: ForwardingOpsDeps,
  groupId: number,
  cutoff: number,
): Promise<{ failedOperations: number[]; recovered?: RecoveredBulkGroup }> {
  const { db, logger } = deps;
  const at = new Date(deps.clock.now());
  // Read again under the lock: an operation we waited for has finished by now.
  const outcome = await db.transaction().execute(async (trx) => {
    const facts = await findBulkForwardingGroupRecoveryFacts(trx, groupId);
    if (facts === undefined) return undefined;
    const { group } = facts;
    const stale = facts.running.filter((op) => Date.parse(op.started_at) < cutoff);
    const failed: BulkForwardingOperation[] = [];
    for (const op of stale)
      if (await failRunningBulkForwardingOperation(trx, op.id, at)) failed.push(op);
    const from = group.state;
    if (from !== 'starting' && from !== 'stopping') return { group, failed };
    // A younger operation still running owns the transitional state (it is not ours to undo).
    if (facts.running.length > stale.length) return { group, failed };
    const prior = before[from];
    const dead = failed.filter((op) => op.kind === prior.kind);
    if (dead.length === 0 && !(Date.parse(group.updated_at) < cutoff)) return { group, failed };
    if (!(await transitionBulkForwardingGroup(trx, groupId, [from], prior.state, at)))
      return { group, failed };
    await insertSettingHistory(
      trx,
      [
        {
          siteId: group.site_id,
          voiceGroupId: facts.voiceGroupId,
          actor: recoveryActor,
          feature: bulkForwardingFeature,
          action: 'recover',
          before: { groupId, group: group.name, state: from, since: group.updated_at },
          after: {
            groupId,
            group: group.name,
            state: prior.state,
            failedOperations: dead.map((op) => ({
              id: op.id,
              kind: op.kind,
              actor: op.actor,
              startedAt: op.started_at,
            })),
          },
        },
      ],
      at,
    );
    return { group, failed, recovered: { groupId, from, to: prior.state } };
  });
  if (outcome === undefined) return { failedOperations: [] };
  const failedOperations = outcome.failed.map((op) => op.id);
  if (failedOperations.length > 0 && outcome.recovered === undefined)
    logger.warn(
      { groupId, operationIds: failedOperations },
      'bulk forwarding: stale operations marked failed',
    );
  if (outcome.recovered === undefined) return { failedOperations };
  logger.warn(
    { ...outcome.recovered, operationIds: failedOperations },
    `bulk forwarding: stale ${outcome.recovered.from} group put back to ${outcome.recovered.to}`,
  );
  const members = outcome.group.members.map((m) => m.number);
  if (members.length > 0) {
    try {
      await deps.state.publish(settingsChangedChannel, members.join(','));
    } catch (err) {
      // Committed either way; caches only catch up when their entries expire.
      logger.error({ err, groupId }, 'bulk forwarding: settings-changed broadcast failed');
    }
  }
  return { failedOperations, recovered: outcome.recovered };
}
