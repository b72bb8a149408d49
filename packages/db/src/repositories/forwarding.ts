import type { Executor, UpsertOutcome } from '../executor.ts';
import type { ForwardingColumns, ForwardingTarget } from '../tables/forwarding-columns.ts';
import { toTimestamp } from '../timestamp.ts';

/** SPEC §3.1 as the application sees it. `slots` always has 5 entries (slot 1 first). */
export interface ForwardingSetting {
  enabled: boolean;
  unconditional: boolean;
  onBusy: boolean;
  onNoAnswer: boolean;
  onUnreachable: boolean;
  ringTimeSeconds: number;
  activeTarget: ForwardingTarget | null;
  slots: [string | null, string | null, string | null, string | null, string | null];
}

export type DayOfWeek = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** SPEC §3.2: named patterns and the weekly entries that switch between them. */
export interface ForwardingSchedule {
  patterns: Array<{ name: string; setting: ForwardingSetting }>;
  entries: Array<{ days: DayOfWeek[]; startTime: string; pattern: string }>;
}

const flag = (value: boolean) => (value ? 1 : 0) as 0 | 1;

function toColumns(s: ForwardingSetting): ForwardingColumns {
  return {
    enabled: flag(s.enabled),
    unconditional: flag(s.unconditional),
    on_busy: flag(s.onBusy),
    on_no_answer: flag(s.onNoAnswer),
    on_unreachable: flag(s.onUnreachable),
    ring_time_seconds: s.ringTimeSeconds,
    active_target: s.activeTarget,
    slot1: s.slots[0],
    slot2: s.slots[1],
    slot3: s.slots[2],
    slot4: s.slots[3],
    slot5: s.slots[4],
  };
}

/** The application shape of stored forwarding columns (setting or pattern). */
export function forwardingSettingFromColumns(c: ForwardingColumns): ForwardingSetting {
  return {
    enabled: c.enabled === 1,
    unconditional: c.unconditional === 1,
    onBusy: c.on_busy === 1,
    onNoAnswer: c.on_no_answer === 1,
    onUnreachable: c.on_unreachable === 1,
    ringTimeSeconds: c.ring_time_seconds,
    activeTarget: c.active_target,
    slots: [c.slot1, c.slot2, c.slot3, c.slot4, c.slot5],
  };
}

function sameColumns(a: ForwardingColumns, b: ForwardingColumns): boolean {
  return (Object.keys(b) as Array<keyof ForwardingColumns>).every((k) => a[k] === b[k]);
}

export async function findForwardingSetting(
  db: Executor,
  numberId: number,
): Promise<ForwardingSetting | undefined> {
  const row = await db
    .selectFrom('forwarding_settings')
    .selectAll()
    .where('number_id', '=', numberId)
    .executeTakeFirst();
  return row === undefined ? undefined : forwardingSettingFromColumns(row);
}

export async function upsertForwardingSetting(
  db: Executor,
  numberId: number,
  setting: ForwardingSetting,
  now: Date,
): Promise<UpsertOutcome> {
  const columns = toColumns(setting);
  const current = await db
    .selectFrom('forwarding_settings')
    .selectAll()
    .where('number_id', '=', numberId)
    .executeTakeFirst();
  if (current === undefined) {
    await db
      .insertInto('forwarding_settings')
      .values({
        ...columns,
        number_id: numberId,
        created_at: toTimestamp(now),
        updated_at: toTimestamp(now),
      })
      .execute();
    return 'created';
  }
  if (sameColumns(current, columns)) return 'unchanged';
  await db
    .updateTable('forwarding_settings')
    .set({ ...columns, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .execute();
  return 'updated';
}

export async function findForwardingSchedule(
  db: Executor,
  numberId: number,
): Promise<ForwardingSchedule> {
  const patterns = await db
    .selectFrom('forwarding_patterns')
    .selectAll()
    .where('number_id', '=', numberId)
    .orderBy('name')
    .execute();
  const entries = await db
    .selectFrom('forwarding_schedule_entries as e')
    .innerJoin('forwarding_patterns as p', 'p.id', 'e.pattern_id')
    .select(['e.days', 'e.start_time', 'p.name'])
    .where('e.number_id', '=', numberId)
    .orderBy('e.id')
    .execute();
  return {
    patterns: patterns.map((p) => ({ name: p.name, setting: forwardingSettingFromColumns(p) })),
    entries: entries.map((e) => ({
      days: e.days.split(',') as DayOfWeek[],
      startTime: e.start_time,
      pattern: e.name,
    })),
  };
}

function sameSchedule(a: ForwardingSchedule, b: ForwardingSchedule): boolean {
  const key = (s: ForwardingSchedule) =>
    JSON.stringify({
      patterns: [...s.patterns]
        .sort((x, y) => x.name.localeCompare(y.name))
        .map((p) => [p.name, toColumns(p.setting)]),
      entries: s.entries.map((e) => [e.days.join(','), e.startTime, e.pattern]),
    });
  return key(a) === key(b);
}

/** Makes the number's patterns and schedule exactly `schedule` (entries referencing patterns by name). */
export async function replaceForwardingSchedule(
  db: Executor,
  numberId: number,
  schedule: ForwardingSchedule,
  now: Date,
): Promise<UpsertOutcome> {
  const current = await findForwardingSchedule(db, numberId);
  if (sameSchedule(current, schedule)) return 'unchanged';
  const wasEmpty = current.patterns.length === 0 && current.entries.length === 0;
  await db.deleteFrom('forwarding_schedule_entries').where('number_id', '=', numberId).execute();
  await db.deleteFrom('forwarding_patterns').where('number_id', '=', numberId).execute();
  const ids = new Map<string, number>();
  for (const pattern of schedule.patterns) {
    const row = await db
      .insertInto('forwarding_patterns')
      .values({
        ...toColumns(pattern.setting),
        number_id: numberId,
        name: pattern.name,
        created_at: toTimestamp(now),
        updated_at: toTimestamp(now),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(pattern.name, row.id);
  }
  for (const entry of schedule.entries) {
    const patternId = ids.get(entry.pattern);
    if (patternId === undefined)
      throw new RangeError(`schedule entry names unknown pattern "${entry.pattern}"`);
    await db
      .insertInto('forwarding_schedule_entries')
      .values({
        number_id: numberId,
        days: entry.days.join(','),
        start_time: entry.startTime,
        pattern_id: patternId,
        created_at: toTimestamp(now),
      })
      .execute();
  }
  return wasEmpty ? 'created' : 'updated';
}

/** SPEC §3.2: the pattern a number's schedule has switched it to, if any. */
export async function findScheduledForwarding(
  db: Executor,
  numberId: number,
): Promise<{ patternName: string; setting: ForwardingSetting } | undefined> {
  const row = await db
    .selectFrom('forwarding_schedule_state as s')
    .innerJoin('forwarding_patterns as p', 'p.id', 's.pattern_id')
    .selectAll('p')
    .where('s.number_id', '=', numberId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { patternName: row.name, setting: forwardingSettingFromColumns(row) };
}
