// SPEC §3.2 scheduled forwarding: one pass puts every number with a schedule on the pattern
// in force now. The pass is state-based, not event-based: it does not replay the switches
// due since the last run, it compares what is in force with what was last applied. So a
// pass after downtime is the catch-up, and a pass that finds nothing to do writes nothing.
import {
  findForwardingScheduleState,
  insertSettingHistory,
  listForwardingSchedules,
  setForwardingScheduleState,
  type Database,
  type ForwardingScheduleState,
  type Kysely,
  type ScheduledNumber,
  type ScheduledPattern,
} from '@ipvoice/db';
import {
  activeScheduleEntry,
  scheduleSwitchesBetween,
  type ScheduleEntry,
} from '@ipvoice/features';
import type { Clock, Logger } from '@ipvoice/sip';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';

export interface ScheduleSwitcherDeps {
  db: Kysely<Database>;
  state: StateStore;
  clock: Clock;
  logger: Logger;
  /** Recorded as `applied_by` on each switch. */
  schedulerId: string;
  /** How long the pass lock holds if its holder dies (default 50 s, below one tick). */
  lockTtlMs?: number;
}

export interface SwitchReport {
  switched: Array<{ number: string; patternId: number; entryId: number }>;
  /** Numbers already on the pattern in force (or whose state is newer than this pass). */
  unchanged: number;
  /** Numbers whose switch failed and was rolled back; the next pass tries them again. */
  failed: string[];
}

/** Why a switch happened, as the setting history shows it. */
export type SwitchReason = 'on_time' | 'catch_up' | 'first' | 'schedule_replaced';

/** The lock every scheduler takes for a pass, so passes run one after another. */
export const forwardingPassLock = 'scheduler:forwarding';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Numbers per change notice, so one 18:00 switch of a large customer is a few messages. */
const NOTICE_CHUNK = 1000;

/**
 * Puts every number with a forwarding schedule on the entry in force at `at` (ms since the
 * epoch). Exactly once across schedulers: passes run under a shared lock, and each switch is
 * a conditional write, so a second scheduler in the same minute (or one whose lock lapsed)
 * finds nothing to change and writes no history. Never half-switched: a number's state and
 * its history row commit together. The switched numbers are then published on
 * `settingsChangedChannel` so feature servers drop them from their caches.
 */
export async function applyScheduleSwitches(
  deps: ScheduleSwitcherDeps,
  at: number = deps.clock.now(),
): Promise<SwitchReport> {
  const { state, logger } = deps;
  return state.withLock(forwardingPassLock, deps.lockTtlMs ?? 50_000, async () => {
    const report: SwitchReport = { switched: [], unchanged: 0, failed: [] };
    const read = scheduleReader(at);
    for (const scheduled of await listForwardingSchedules(deps.db)) {
      let inForce: InForce | undefined;
      try {
        inForce = read(scheduled);
      } catch (err) {
        // A malformed entry or unknown zone is this number's problem, not the pass's.
        logger.error({ err, number: scheduled.number }, 'forwarding schedule cannot be read');
        report.failed.push(scheduled.number);
        continue;
      }
      if (inForce === undefined || scheduled.state?.patternId === inForce.entry.patternId) {
        report.unchanged++;
        continue;
      }
      const { entry } = inForce;
      try {
        if (await switchNumber(deps, scheduled, inForce, at)) {
          report.switched.push({
            number: scheduled.number,
            patternId: entry.patternId,
            entryId: entry.id,
          });
        } else {
          report.unchanged++;
        }
      } catch (err) {
        logger.error({ err, number: scheduled.number }, 'forwarding schedule switch failed');
        report.failed.push(scheduled.number);
      }
    }
    await announce(
      deps,
      report.switched.map((s) => s.number),
    );
    return report;
  });
}

/** The entry in force for a number, and when it came into force (computed on demand). */
interface InForce {
  entry: ScheduleEntry;
  startedAt(): number | undefined;
}

interface Shape {
  entries: ScheduleEntry[];
  position: number | undefined;
  startedAt?: number | undefined;
}

/**
 * activeScheduleEntry for many numbers at one instant. Numbers of a customer mostly share a
 * schedule (the same days and times, their own ids), and the answer depends only on the
 * zone, the days and times, and the order of the ids (the higher id wins a tie), so it is
 * computed once per distinct schedule, with positions for ids, and mapped back per number.
 */
function scheduleReader(at: number): (scheduled: ScheduledNumber) => InForce | undefined {
  const shapes = new Map<string, Shape>();
  return ({ entries, timeZone }) => {
    const ordered = [...entries].sort((a, b) => a.id - b.id);
    const key = JSON.stringify([timeZone, ordered.map((e) => [e.days, e.startTime])]);
    let shape = shapes.get(key);
    if (shape === undefined) {
      const positioned = ordered.map((e, i) => ({ ...e, id: i }));
      shape = { entries: positioned, position: activeScheduleEntry(positioned, timeZone, at)?.id };
      shapes.set(key, shape);
    }
    const known = shape;
    const entry = known.position === undefined ? undefined : ordered[known.position];
    if (entry === undefined) return undefined;
    return {
      entry,
      startedAt() {
        if (!('startedAt' in known)) {
          // Eight days back holds the latest start of every weekly entry.
          const last = scheduleSwitchesBetween(known.entries, timeZone, at - 8 * DAY_MS, at).at(-1);
          known.startedAt = last?.entry.id === known.position ? last?.at : undefined;
        }
        return known.startedAt;
      },
    };
  };
}

/** One number's switch in one transaction; false when there was nothing to write. */
async function switchNumber(
  deps: ScheduleSwitcherDeps,
  scheduled: ScheduledNumber,
  inForce: InForce,
  at: number,
): Promise<boolean> {
  const { entry } = inForce;
  const pattern = scheduled.patterns.find((p) => p.id === entry.patternId);
  if (pattern === undefined)
    throw new Error(`pattern ${entry.patternId} of entry ${entry.id} is gone`);
  const now = new Date(at);
  const switched = await deps.db.transaction().execute(async (trx) => {
    // Read again inside the transaction: the listing may be a whole pass old.
    const current = await findForwardingScheduleState(trx, scheduled.numberId);
    // A state written at a later instant came from a scheduler whose clock is ahead of
    // ours; applying our older view would switch the number back.
    if (current !== undefined && Date.parse(current.switchedAt) > at) return undefined;
    const wrote = await setForwardingScheduleState(
      trx,
      {
        numberId: scheduled.numberId,
        entryId: entry.id,
        patternId: entry.patternId,
        appliedBy: deps.schedulerId,
      },
      now,
    );
    if (!wrote) return undefined;
    const reason = reasonFor(inForce.startedAt(), current, at);
    await insertSettingHistory(
      trx,
      [
        {
          numberId: scheduled.numberId,
          siteId: scheduled.siteId,
          voiceGroupId: scheduled.voiceGroupId,
          actor: 'scheduler',
          feature: 'forwarding_schedule',
          action: 'switch',
          before: describeBefore(scheduled, current),
          after: {
            ...describePattern(pattern),
            entry: { id: entry.id, days: entry.days, startTime: entry.startTime },
            scheduledAt: reason.scheduledAt,
            reason: reason.reason,
          },
        },
      ],
      now,
    );
    return reason;
  });
  if (switched === undefined) return false;
  deps.logger.info(
    {
      number: scheduled.number,
      pattern: pattern.name,
      entryId: entry.id,
      reason: switched.reason,
      scheduledAt: switched.scheduledAt,
    },
    'forwarding schedule switched',
  );
  return true;
}

function describePattern(p: ScheduledPattern) {
  return { patternId: p.id, pattern: p.name, setting: p.setting };
}

/** The pattern the number was on, if it still exists; null when never switched. */
function describeBefore(scheduled: ScheduledNumber, current: ForwardingScheduleState | undefined) {
  if (current === undefined) return null;
  const pattern = scheduled.patterns.find((p) => p.id === current.patternId);
  return {
    ...(pattern ? describePattern(pattern) : { patternId: null, pattern: null, setting: null }),
    switchedAt: current.switchedAt,
  };
}

/**
 * When the entry came into force, and so whether this switch is on time or makes up for
 * switches missed while no scheduler ran (or the first for a new or edited schedule).
 */
function reasonFor(
  startedAt: number | undefined,
  current: ForwardingScheduleState | undefined,
  at: number,
): { reason: SwitchReason; scheduledAt: string | null } {
  const scheduledAt = startedAt === undefined ? null : new Date(startedAt).toISOString();
  if (current === undefined) return { reason: 'first', scheduledAt };
  if (current.patternId === null) return { reason: 'schedule_replaced', scheduledAt };
  const late = startedAt === undefined || at - startedAt >= MINUTE_MS;
  return { reason: late ? 'catch_up' : 'on_time', scheduledAt };
}

/** Tells feature servers which numbers changed. The switches are committed whatever happens
 * here; a notice that cannot be sent only leaves caches stale until they expire. */
async function announce(deps: ScheduleSwitcherDeps, numbers: string[]): Promise<void> {
  for (let i = 0; i < numbers.length; i += NOTICE_CHUNK) {
    const chunk = numbers.slice(i, i + NOTICE_CHUNK);
    try {
      await deps.state.publish(settingsChangedChannel, chunk.join(','));
    } catch (err) {
      deps.logger.error({ err, numbers: chunk.length }, 'could not publish the switched numbers');
    }
  }
}
