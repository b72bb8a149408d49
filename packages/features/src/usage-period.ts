// SPEC §3.13 usage search period, as the fax usage-history portal checks it (its table of
// period errors a–h). The API shows these messages verbatim, so each names the rule refusing.
import { localMs } from './local-time.ts';

/** The period as entered: local wall times in the voice group's zone, both ends inclusive
 * to the second ('2025-11-01T00:00:00' … '2025-11-01T23:59:59'), as the portal shows them. */
export interface UsagePeriodInput {
  from: string;
  to: string;
}

export type UsagePeriodRule = 'calendar' | 'order' | 'tooEarly' | 'future' | 'tooLong' | 'tooShort';

export type UsagePeriodCheck =
  | {
      ok: true;
      /** Local wall times, `to` clamped to yesterday 23:59:59 when it lay later. */
      from: string;
      to: string;
      clamped: boolean;
      /** The same period as UTC instants for the query: `start` inclusive, `end` exclusive
       * (one second after `to`, so a call at 23:59:59.5 is still inside). */
      start: string;
      end: string;
    }
  | {
      ok: false;
      rule: UsagePeriodRule;
      field: 'from' | 'to';
      message: string;
      messageJa: string;
    };

export const MIN_USAGE_PERIOD_MS = 60 * 60 * 1000;

// The Japanese wording is the portal's (seeds: 検索期間入力エラー); its trailing line sending
// users to the portal's HELP page is left out, since the API has no such page.
export const usagePeriodMessages = {
  calendar: {
    en: 'Enter dates that exist on the calendar, as YYYY-MM-DDTHH:mm:ss.',
    ja: '検索期間が不正です。\n暦上に存在する日付を設定して下さい。',
  },
  order: {
    en: 'The start of the search period must be before its end.',
    ja: '検索期間が不正です。\n開始日時は終了日時より前を設定して下さい。',
  },
  tooEarly: {
    en: 'The search period may start no earlier than 00:00 on the 1st of the month before last.',
    ja: '検索期間が不正です。\n開始日時は前々月１日以降に設定して下さい。',
  },
  future: {
    en: 'Usage can be searched up to yesterday 23:59:59 only: start the period yesterday or earlier.',
    ja: '検索期間が不正です。\n前日分までの検索のみご利用いただけます。',
  },
  tooLong: {
    en: 'The search period may be at most one month.',
    ja: '検索期間が不正です。\n最大検索期間は1ヶ月となります。',
  },
  tooShort: {
    en: 'The search period must be at least one hour.',
    ja: '検索期間が不正です。\n最小検索期間は1時間となります。',
  },
} as const satisfies Record<UsagePeriodRule, { en: string; ja: string }>;

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** 'YYYY-MM-DDTHH:mm[:ss]' as local ms (wall time written as if UTC), or undefined when it
 * is malformed or names a day or time that does not exist (31 April, 24:00). */
export function parseLocalDateTime(text: string): number | undefined {
  const match = LOCAL_PATTERN.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((s) => Number(s ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return wallMs(year, month, day, hour, minute, second);
}

/** Local ms as 'YYYY-MM-DDTHH:mm:ss'. */
export function formatLocalDateTime(local: number): string {
  return new Date(local).toISOString().slice(0, 19);
}

/** The local wall time of instant `at` in `timeZone`, as 'YYYY-MM-DDTHH:mm:ss'. */
export function localDateTimeAt(at: Date, timeZone: string): string {
  return formatLocalDateTime(localMs(timeZone, at.getTime()));
}

/**
 * The instant whose wall time in `timeZone` is `local`. Two passes settle an offset that
 * changes near the guess; a wall time skipped by a DST jump lands just after the jump.
 */
export function instantOfLocal(local: number, timeZone: string): number {
  let guess = local - (localMs(timeZone, local) - local);
  guess = local - (localMs(timeZone, guess) - guess);
  return guess;
}

function daysInMonth(year: number, month: number): number {
  return new Date(wallMs(year, month + 1, 1) - 1).getUTCDate();
}

function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
  const wall = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999; it rolls month 13.
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime();
}

/**
 * One month after local `from`: the same day and time next month, or, when next month is
 * shorter (31 January), the start of the month after it, so the period may run to the end
 * of the shorter month.
 */
export function oneMonthAfter(from: number): number {
  const d = new Date(from);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  if (day > daysInMonth(year, month + 1 > 12 ? 1 : month + 1)) return wallMs(year, month + 2, 1);
  return wallMs(year, month + 1, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/**
 * SPEC §3.13: a period of one hour to one month, lying between 00:00 on the 1st of the month
 * before last and yesterday 23:59:59, local time of the voice group (`timeZone`). An end
 * later than that is clamped to yesterday 23:59:59 (portal rule d). The rules are checked in
 * the portal's order: calendar, order, too early, wholly in the future, then length.
 */
export function checkUsagePeriod(
  input: UsagePeriodInput,
  now: Date,
  timeZone: string,
): UsagePeriodCheck {
  const refuse = (rule: UsagePeriodRule, field: 'from' | 'to'): UsagePeriodCheck => ({
    ok: false,
    rule,
    field,
    message: usagePeriodMessages[rule].en,
    messageJa: usagePeriodMessages[rule].ja,
  });

  const from = parseLocalDateTime(input.from);
  if (from === undefined) return refuse('calendar', 'from');
  const to = parseLocalDateTime(input.to);
  if (to === undefined) return refuse('calendar', 'to');
  // Portal rule g: the end before the start.
  if (to < from) return refuse('order', 'from');

  const today = new Date(localMs(timeZone, now.getTime()));
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() + 1;
  // Date rolls month 0 and -1 back into the previous year.
  const earliest = wallMs(year, month - 2, 1);
  const latest = wallMs(year, month, today.getUTCDate()) - 1000;
  // Portal rules a, b, f: any part before the 1st of the month before last.
  if (from < earliest) return refuse('tooEarly', 'from');
  // Portal rule e: nothing left once the end is clamped to yesterday.
  if (from > latest) return refuse('future', 'from');
  // Portal rule d: the end is clamped, then the length is checked on what is searched.
  const clamped = to > latest;
  const end = clamped ? latest : to;
  if (end + 1000 > oneMonthAfter(from)) return refuse('tooLong', 'to');
  if (end + 1000 - from < MIN_USAGE_PERIOD_MS) return refuse('tooShort', 'to');

  return {
    ok: true,
    from: formatLocalDateTime(from),
    to: formatLocalDateTime(end),
    clamped,
    start: new Date(instantOfLocal(from, timeZone)).toISOString(),
    end: new Date(instantOfLocal(end + 1000, timeZone)).toISOString(),
  };
}
