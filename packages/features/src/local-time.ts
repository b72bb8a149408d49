// Local wall time in an IANA zone with Intl alone (no tz library): one cached formatter per
// zone, read into "local ms" on which plain UTC arithmetic is calendar arithmetic.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building one costs far more than formatting with it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      // h23: midnight is 00, never 24.
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Local wall time at `at` in `timeZone`, written as if it were UTC ("local ms"): plain
 * arithmetic on it is calendar arithmetic, free of DST.
 */
export function localMs(timeZone: string, at: number): number {
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    const value = Number(part.value);
    switch (part.type) {
      case 'year':
        year = value;
        break;
      case 'month':
        month = value;
        break;
      case 'day':
        day = value;
        break;
      case 'hour':
        hour = value;
        break;
      case 'minute':
        minute = value;
        break;
      case 'second':
        second = value;
        break;
    }
  }
  const wall = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  const ms = ((at % 1000) + 1000) % 1000;
  return wall.getTime() + ms;
}

/** 'YYYY-MM' of the local date at `instantMs` in `timeZone` (SPEC §3.8 monthly counts). */
export function monthKey(instantMs: number, timeZone: string): string {
  const local = new Date(localMs(timeZone, instantMs));
  return formatMonthKey(local.getUTCFullYear(), local.getUTCMonth() + 1);
}

/** The month before `key` ('2026-01' → '2025-12'); throws RangeError unless `key` is 'YYYY-MM'. */
export function previousMonthKey(key: string): string {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (match === null) throw new RangeError(`month key must be 'YYYY-MM', got '${key}'`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  return month === 1 ? formatMonthKey(year - 1, 12) : formatMonthKey(year, month - 1);
}

function formatMonthKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}
