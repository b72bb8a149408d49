import {
  type BulkForwardingGroupWithMembers,
  type BulkForwardingState,
  findBulkForwardingGroupById,
  finishBulkForwardingOperation,
  insertBulkForwardingOperation,
  insertBulkForwardingResults,
  insertSettingHistory,
  listForwardingSettings,
  listScheduledPatterns,
  listStartedBulkMemberships,
  type SettingChange,
  transitionBulkForwardingGroup,
} from '@ipvoice/db';
import { claimSites } from '@ipvoice/forwarding-csv';
import { settingsChangedChannel } from '@ipvoice/state';
import type { ForwardingOpsDeps } from './deps.ts';
import {
  BulkForwardingFailedError,
  BulkForwardingGroupNotFoundError,
  BulkForwardingRefusedError,
} from './errors.ts';
import {
  type MemberFacts,
  type MemberOutcome,
  startOutcome,
  stopOutcome,
} from './member-outcome.ts';
import { bulkResultCsv } from './result-csv.ts';

export interface BulkOperationResult {
  operationId: number;
  /** The group's state afterwards: `started` after a start, `stopped` after a stop. */
  state: BulkForwardingState;
  /** Members that succeeded. */
  ok: number;
  errors: Array<{ number: string; reason: string }>;
  /** number,result,reason — UTF-8 with BOM (SPEC §4). */
  csv: string;
}

type Kind = 'start' | 'stop';

/** SPEC §3.3: the only moves an operation makes, through a transitional state. */
const plans: Record<
  Kind,
  {
    from: BulkForwardingState;
    via: BulkForwardingState;
    to: BulkForwardingState;
    outcome: (m: MemberFacts) => MemberOutcome;
  }
> = {
  start: { from: 'stopped', via: 'starting', to: 'started', outcome: startOutcome },
  stop: { from: 'started', via: 'stopping', to: 'stopped', outcome: stopOutcome },
};

/** Well above a 1,000-member run (tens of ms); the DB transition still guards if it lapses. */
/** One group's operations (start, stop, recovery) run one at a time under this lock. */
export const groupLock = (groupId: number): string => `bulk-forwarding:group:${groupId}`;
export const lockTtlMs = 60_000;

/** The setting-history feature of these operations. */
export const bulkForwardingFeature = 'bulk_forwarding';

/**
 * SPEC §3.3: starts a bulk-forwarding group — every member with a usable slot-5 target then
 * forwards unconditionally to it; the others are reported as errors and left alone.
 * Refused (BulkForwardingRefusedError) while the group is starting/stopping or already started.
 */
export function startBulkForwarding(
  deps: ForwardingOpsDeps,
  groupId: number,
  actor: string,
): Promise<BulkOperationResult> {
  return runBulkOperation(deps, groupId, actor, 'start');
}

/**
 * SPEC §3.3: stops a started group; its members go back to their schedule or own setting.
 * Refused while the group is starting/stopping or already stopped.
 */
export function stopBulkForwarding(
  deps: ForwardingOpsDeps,
  groupId: number,
  actor: string,
): Promise<BulkOperationResult> {
  return runBulkOperation(deps, groupId, actor, 'stop');
}

async function runBulkOperation(
  deps: ForwardingOpsDeps,
  groupId: number,
  actor: string,
  kind: Kind,
): Promise<BulkOperationResult> {
  const { db, state } = deps;
  const plan = plans[kind];
  const now = () => new Date(deps.clock.now());

  // Refuse at once what is plainly refused, without queueing behind the running operation.
  const seen = await findBulkForwardingGroupById(db, groupId);
  if (seen === undefined) throw new BulkForwardingGroupNotFoundError(groupId);
  if (seen.state !== plan.from)
    throw new BulkForwardingRefusedError(groupId, seen.name, seen.state);

  // The lock serialises operations on one group across API servers; the conditional UPDATE
  // decides the winner even if the lock lapsed or the servers do not share a lock backend.
  return state.withLock(groupLock(groupId), lockTtlMs, async () => {
    // SPEC §4 conflicts: a CSV upload/download or another group's start/stop on the site
    // refuses this (ForwardingCsvConflictError) and is refused meanwhile; its members'
    // forwarding edits too. Taken inside the group lock and never waiting, so two starts of
    // one group still meet at the group lock and the loser is told the group's state.
    const releaseSite = await claimSites(state, [seen.site_id], {
      operation: kind === 'start' ? 'bulk-start' : 'bulk-stop',
      actor,
      at: now(),
      numberIdsBySite: new Map([[seen.site_id, seen.members.map((m) => m.numberId)]]),
    });
    try {
      return await runClaimed(deps, groupId, actor, kind);
    } finally {
      await releaseSite();
    }
  });
}

/** The operation itself, under the group's and the site's locks. */
async function runClaimed(
  deps: ForwardingOpsDeps,
  groupId: number,
  actor: string,
  kind: Kind,
): Promise<BulkOperationResult> {
  const { db, logger } = deps;
  const plan = plans[kind];
  const now = () => new Date(deps.clock.now());
  if (!(await transitionBulkForwardingGroup(db, groupId, [plan.from], plan.via, now()))) {
    const current = await findBulkForwardingGroupById(db, groupId);
    if (current === undefined) throw new BulkForwardingGroupNotFoundError(groupId);
    throw new BulkForwardingRefusedError(groupId, current.name, current.state);
  }
  let operationId: number | undefined;
  try {
    // Committed on its own, so the job shows `running` while it runs (SPEC §4).
    operationId = await insertBulkForwardingOperation(db, { groupId, kind, actor }, now());
    const group = await findBulkForwardingGroupById(db, groupId);
    if (group === undefined) throw new BulkForwardingGroupNotFoundError(groupId);
    const outcomes = (await loadMemberFacts(deps, group)).map(plan.outcome);
    const results = outcomes.map((o) => o.result);
    const errors = results.flatMap((r) =>
      r.outcome === 'error' ? [{ number: r.number, reason: r.reason ?? '' }] : [],
    );
    const ok = results.length - errors.length;
    const history = await historyOf(deps, group, outcomes, actor, kind);
    const id = operationId;
    // Results, history, the finished job and the final state land together or not at all.
    await db.transaction().execute(async (trx) => {
      const at = now();
      await insertBulkForwardingResults(trx, id, results);
      await insertSettingHistory(trx, history, at);
      await finishBulkForwardingOperation(
        trx,
        id,
        { status: 'done', okCount: ok, errorCount: errors.length },
        at,
      );
      if (!(await transitionBulkForwardingGroup(trx, groupId, [plan.via], plan.to, at)))
        throw new Error(`group ${groupId} left ${plan.via} while the ${kind} ran`);
    });
    logger.info(
      {
        groupId,
        operationId: id,
        kind,
        actor,
        members: results.length,
        ok,
        errors: errors.length,
      },
      `bulk forwarding ${kind} done`,
    );
    await announce(deps, group, id);
    return { operationId: id, state: plan.to, ok, errors, csv: bulkResultCsv(results) };
  } catch (cause) {
    throw await putBack(deps, groupId, operationId, kind, cause);
  }
}

/** One query per source, whatever the number of members. */
async function loadMemberFacts(
  { db }: ForwardingOpsDeps,
  group: BulkForwardingGroupWithMembers,
): Promise<MemberFacts[]> {
  const ids = group.members.map((m) => m.numberId);
  const [own, scheduled, started] = await Promise.all([
    listForwardingSettings(db, ids),
    listScheduledPatterns(db, ids),
    listStartedBulkMemberships(db, ids),
  ]);
  const inOtherStarted = new Set(
    started.filter((s) => s.groupId !== group.id).map((s) => s.numberId),
  );
  return group.members.map((m) => ({
    numberId: m.numberId,
    number: m.number,
    own: own.get(m.numberId),
    scheduled: scheduled.get(m.numberId),
    inOtherStartedGroup: inOtherStarted.has(m.numberId),
  }));
}

async function historyOf(
  { db }: ForwardingOpsDeps,
  group: BulkForwardingGroupWithMembers,
  outcomes: MemberOutcome[],
  actor: string,
  kind: Kind,
): Promise<SettingChange[]> {
  const site = await db
    .selectFrom('sites')
    .select('voice_group_id')
    .where('id', '=', group.site_id)
    .executeTakeFirst();
  return outcomes.map((o) => ({
    numberId: o.numberId,
    siteId: group.site_id,
    voiceGroupId: site?.voice_group_id ?? null,
    actor,
    feature: bulkForwardingFeature,
    action: kind,
    before: o.before,
    after: { ...o.after, ...(o.result.reason === null ? {} : { reason: o.result.reason }) },
  }));
}

/**
 * Every feature server drops the members from its cache at once (one message for the group)
 * instead of waiting for its cache to expire. A lost message does not undo the committed
 * operation; it only delays the change until those caches expire, so it is logged, not thrown.
 */
async function announce(
  { state, logger }: ForwardingOpsDeps,
  group: BulkForwardingGroupWithMembers,
  operationId: number,
): Promise<void> {
  if (group.members.length === 0) return;
  try {
    await state.publish(settingsChangedChannel, group.members.map((m) => m.number).join(','));
  } catch (err) {
    logger.error(
      { err, groupId: group.id, operationId },
      'bulk forwarding: settings-changed broadcast failed; feature servers catch up when their caches expire',
    );
  }
}

/** SPEC §3.3: never half-switched — the group returns to where it was and the job is failed. */
async function putBack(
  { db, clock, logger }: ForwardingOpsDeps,
  groupId: number,
  operationId: number | undefined,
  kind: Kind,
  cause: unknown,
): Promise<BulkForwardingFailedError> {
  const plan = plans[kind];
  const at = new Date(clock.now());
  let restored = false;
  try {
    restored = await transitionBulkForwardingGroup(db, groupId, [plan.via], plan.from, at);
    if (operationId !== undefined)
      await finishBulkForwardingOperation(
        db,
        operationId,
        { status: 'failed', okCount: 0, errorCount: 0 },
        at,
      );
  } catch (err) {
    logger.error(
      { err, groupId, operationId, kind },
      'bulk forwarding: could not record the failure',
    );
  }
  logger.error(
    { err: cause, groupId, operationId, kind, restored },
    `bulk forwarding ${kind} failed`,
  );
  return new BulkForwardingFailedError(groupId, operationId, restored ? plan.from : undefined, {
    cause,
    restored,
    kind,
  });
}
