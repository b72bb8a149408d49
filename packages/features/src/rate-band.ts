// SPEC §3.13: the rate band of a call, from the local time of its start.
import holidayJp from '@holiday-jp/holiday_jp';
import { localMs } from './local-time.ts';

export type RateBand = 'normal' | 'night' | 'holiday';

// @holiday-jp/holiday_jp 2.5.1 lists national holidays, substitute holidays (振替休日) and
// citizens' holidays from 1970-01-01 to 2050-11-23; later dates count as working days
// until the package is updated. Holidays moved by law (as in 2020–2021) arrive the same way.
// Its own isHoliday() reads the date in the process's time zone and scans the whole list,
// so the dates are looked up here by their local YYYY-MM-DD key instead.
const holidays: ReadonlySet<string> = new Set(Object.keys(holidayJp.holidays));

/**
 * The band of an instant in `timeZone` (an IANA name; RangeError when unknown).
 * `holiday` is the whole local day — Saturday, Sunday or a Japanese national holiday —
 * and takes precedence over `night` (19:00:00–07:59:59), so a holiday night is a holiday.
 * The local date decides: the night from Sunday into Monday is `holiday` until midnight
 * and `night` after it.
 */
export function rateBand(at: Date | number, timeZone: string): RateBand {
  // Band edges are local whole hours, and every zone's offset is a multiple of 15 minutes,
  // so the band is the same within a UTC quarter-hour: remembered, it costs no Intl call
  // per call setup.
  const quarter = Math.floor(Number(at) / 900_000);
  const key = `${timeZone}\n${quarter}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const band = computeBand(at, timeZone);
  if (recent.size > 1000) recent.clear();
  recent.set(key, band);
  return band;
}

const recent = new Map<string, RateBand>();

function computeBand(at: Date | number, timeZone: string): RateBand {
  // Local wall time written as UTC: the UTC getters read the local calendar.
  const local = new Date(localMs(timeZone, Number(at)));
  const weekday = local.getUTCDay();
  const date = local.toISOString().slice(0, 10);
  if (weekday === 0 || weekday === 6 || holidays.has(date)) return 'holiday';
  const hour = local.getUTCHours();
  return hour >= 19 || hour < 8 ? 'night' : 'normal';
}
