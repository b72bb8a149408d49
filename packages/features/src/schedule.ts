// SPEC §3.2 scheduled forwarding: a weekly schedule of (days, start time) → pattern, read in
// the customer's time zone. Which entry is in force at an instant, and when the next
// switches happen, for the cron-driven scheduler and its catch-up after downtime.
import { localMs } from './local-time.ts';

export type DayOfWeek = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface ScheduleEntry {
  id: number;
  days: readonly DayOfWeek[];
  /** "HH:MM", 24-hour local time (00:00–23:59). */
  startTime: string;
  patternId: number;
}

export interface ScheduleSwitch {
  /** The instant the entry starts, ms since the epoch. */
  at: number;
  entry: ScheduleEntry;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// Index = Date#getUTCDay() of a local date written as UTC.
const WEEKDAYS: readonly DayOfWeek[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const START_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** One weekly start of an entry: on `weekday` at `minute` minutes after local midnight. */
interface WeeklyStart {
  weekday: number;
  minute: number;
  entry: ScheduleEntry;
}

function weeklyStarts(entries: readonly ScheduleEntry[]): WeeklyStart[] {
  const starts: WeeklyStart[] = [];
  for (const entry of entries) {
    const time = START_TIME.exec(entry.startTime);
    if (time === null) {
      throw new RangeError(
        `schedule entry ${entry.id}: start time "${entry.startTime}" is not HH:MM from 00:00 to 23:59`,
      );
    }
    const minute = Number(time[1]) * 60 + Number(time[2]);
    for (const day of new Set(entry.days)) {
      const weekday = WEEKDAYS.indexOf(day);
      if (weekday < 0) {
        throw new RangeError(
          `schedule entry ${entry.id}: "${String(day)}" is not a day of the week (mon … sun)`,
        );
      }
      starts.push({ weekday, minute, entry });
    }
  }
  // Within a day: by time, then by id, so that of two entries at the same day and time the
  // higher id comes last and wins.
  return starts.sort((a, b) => a.minute - b.minute || a.entry.id - b.entry.id);
}

/** Local minus UTC at `at`, ms. */
const offsetAt = (timeZone: string, at: number) => localMs(timeZone, at) - at;

/**
 * The instant at which local wall time `local` (local ms) starts: the first instant whose
 * local time is `local` or later. So a time that occurs twice (the fall-back hour) starts at
 * its first occurrence, and a time skipped by a spring-forward gap starts at the first
 * instant after the gap.
 */
function startOfLocal(timeZone: string, local: number): number {
  // The instant lies within a day of `local` (offsets are under ±15 h), so the offsets a day
  // either side bracket every offset it can have (one transition within two days, as in
  // every zone's rules).
  const before = offsetAt(timeZone, local - DAY_MS);
  const after = offsetAt(timeZone, local + DAY_MS);
  let first: number | undefined;
  for (const offset of before === after ? [before] : [before, after]) {
    const at = local - offset;
    if (localMs(timeZone, at) === local && (first === undefined || at < first)) first = at;
  }
  if (first !== undefined) return first;
  // A gap: local time jumps over `local`. Find the transition, the first instant whose local
  // time passed `local`, to the second (tz transitions are at whole seconds).
  let lo = Math.floor((local - Math.max(before, after)) / 1000); // local time still before
  let hi = Math.ceil((local - Math.min(before, after)) / 1000); // local time already after
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localMs(timeZone, mid * 1000) >= local) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/**
 * Every switch in local-date order from local day `fromDay` (local ms of a midnight) on.
 * Starts that fall on the same instant (the same day and time, or times inside one DST gap)
 * are one switch, won by the latest local time, then the highest id. Start instants never
 * decrease as local time increases, so such starts are neighbours here.
 */
function* switchesFromDay(
  starts: readonly WeeklyStart[],
  timeZone: string,
  fromDay: number,
): Generator<ScheduleSwitch, void, undefined> {
  if (starts.length === 0) return;
  let pending: ScheduleSwitch | undefined;
  for (let day = fromDay; ; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    for (const start of starts) {
      if (start.weekday !== weekday) continue;
      const at = startOfLocal(timeZone, day + start.minute * MINUTE_MS);
      if (pending !== undefined && pending.at !== at) yield pending;
      pending = { at, entry: start.entry };
    }
  }
}

/** Local midnight of the day `days` days after the local date of `at`. */
function localDay(timeZone: string, at: number, days: number): number {
  const local = localMs(timeZone, at);
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS) + days * DAY_MS;
}

/**
 * The entry in force at `at` (ms since the epoch): the one whose latest (day, startTime)
 * occurrence at or before `at`, local time in `timeZone`, is the most recent. The weekly
 * cycle wraps: Monday 08:00 is governed by Sunday 18:00 of the week before if nothing starts
 * in between. Two entries at the same day and time: the higher id wins. Undefined when no
 * entry has a day. RangeError for an unknown zone or a malformed entry.
 */
export function activeScheduleEntry(
  entries: readonly ScheduleEntry[],
  timeZone: string,
  at: number,
): ScheduleEntry | undefined {
  // Eight days back reaches the previous occurrence of every start, with a day to spare
  // for a fall-back that repeats the hour before midnight.
  let active: ScheduleEntry | undefined;
  for (const s of switchesFromDay(weeklyStarts(entries), timeZone, localDay(timeZone, at, -8))) {
    if (s.at > at) break;
    active = s.entry;
  }
  return active;
}

/**
 * The next instant strictly after `after` at which some entry starts (ms), and that entry;
 * undefined when no entry has a day.
 */
export function nextScheduleSwitch(
  entries: readonly ScheduleEntry[],
  timeZone: string,
  after: number,
): ScheduleSwitch | undefined {
  // From the day before, in case `after` lies in an hour repeated across midnight.
  for (const s of switchesFromDay(weeklyStarts(entries), timeZone, localDay(timeZone, after, -1))) {
    if (s.at > after) return s;
  }
  return undefined;
}

/**
 * Every switch instant in (from, to], in order, each with the entry that starts then — for
 * a scheduler catching up after downtime. Work grows with the days spanned.
 */
export function scheduleSwitchesBetween(
  entries: readonly ScheduleEntry[],
  timeZone: string,
  from: number,
  to: number,
): ScheduleSwitch[] {
  const switches: ScheduleSwitch[] = [];
  if (to <= from) return switches;
  for (const s of switchesFromDay(weeklyStarts(entries), timeZone, localDay(timeZone, from, -1))) {
    if (s.at > to) break;
    if (s.at > from) switches.push(s);
  }
  return switches;
}
