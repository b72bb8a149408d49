import test from 'ava';
import { type RateBand, rateBand } from '../src/rate-band.ts';

// Instants are given in UTC; Asia/Tokyo is UTC+9 all year (no DST).
const cases: Array<{ name: string; at: string; zone?: string; band: RateBand }> = [
  // Tuesday 2026-11-24, an ordinary weekday in Tokyo.
  { name: '07:59:59 on a weekday is night', at: '2026-11-23T22:59:59Z', band: 'night' },
  { name: '08:00:00 on a weekday is normal', at: '2026-11-23T23:00:00Z', band: 'normal' },
  { name: '18:59:59 on a weekday is normal', at: '2026-11-24T09:59:59Z', band: 'normal' },
  { name: '19:00:00 on a weekday is night', at: '2026-11-24T10:00:00Z', band: 'night' },
  { name: 'midnight on a weekday is night', at: '2026-11-24T15:00:00Z', band: 'night' },
  // Monday 2026-11-23, Labour Thanksgiving Day.
  { name: 'noon on a weekday national holiday', at: '2026-11-23T03:00:00Z', band: 'holiday' },
  { name: 'a holiday night is a holiday', at: '2026-11-23T13:00:00Z', band: 'holiday' },
  { name: 'the holiday ends at local midnight', at: '2026-11-23T15:00:00Z', band: 'night' },
  // 2026-05-03 (Constitution Day) is a Sunday; Wednesday 2026-05-06 is its substitute.
  { name: 'a substitute holiday', at: '2026-05-06T03:00:00Z', band: 'holiday' },
  { name: 'the day after the substitute holiday', at: '2026-05-07T03:00:00Z', band: 'normal' },
  // Tuesday 2026-09-22 lies between two holidays (国民の休日).
  { name: "a citizens' holiday", at: '2026-09-22T03:00:00Z', band: 'holiday' },
  // Friday 2026-11-27 into Saturday 2026-11-28.
  { name: 'Friday 23:59:59 is night', at: '2026-11-27T14:59:59Z', band: 'night' },
  { name: 'Saturday 00:00:00 is a holiday', at: '2026-11-27T15:00:00Z', band: 'holiday' },
  { name: 'Saturday noon is a holiday', at: '2026-11-28T03:00:00Z', band: 'holiday' },
  { name: 'Sunday morning is a holiday', at: '2026-11-28T22:00:00Z', band: 'holiday' },
  // New York is UTC-5 in late November: the same instant falls on another local date.
  {
    name: 'Tuesday 10:00 in Tokyo is normal',
    at: '2026-11-24T01:00:00Z',
    band: 'normal',
  },
  {
    name: 'the same instant is Monday 20:00 in New York, the holiday date',
    at: '2026-11-24T01:00:00Z',
    zone: 'America/New_York',
    band: 'holiday',
  },
  {
    name: 'Wednesday 23:00 in Tokyo is night',
    at: '2026-11-25T14:00:00Z',
    band: 'night',
  },
  {
    name: 'the same instant is Wednesday 09:00 in New York, normal',
    at: '2026-11-25T14:00:00Z',
    zone: 'America/New_York',
    band: 'normal',
  },
];

for (const c of cases) {
  test(c.name, (t) => {
    t.is(rateBand(new Date(c.at), c.zone ?? 'Asia/Tokyo'), c.band);
  });
}

test('an epoch-milliseconds instant is read like a Date', (t) => {
  t.is(rateBand(Date.parse('2026-11-24T10:00:00Z'), 'Asia/Tokyo'), 'night');
  t.is(rateBand(Date.parse('2026-11-24T09:59:59.999Z'), 'Asia/Tokyo'), 'normal');
});

test('the process time zone plays no part', (t) => {
  // Tuesday 02:00 in Tokyo is Monday 09:00, the holiday's date, in Los Angeles: a lookup by
  // the process's local date (as holiday_jp's own isHoliday does) would answer holiday.
  const saved = process.env.TZ;
  process.env.TZ = 'America/Los_Angeles';
  try {
    t.is(new Date('2026-11-23T17:00:00Z').getDate(), 23, 'the process zone took effect');
    t.is(rateBand(new Date('2026-11-23T17:00:00Z'), 'Asia/Tokyo'), 'night');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('an unknown time zone is refused', (t) => {
  t.throws(() => rateBand(0, 'Mars/Olympus_Mons'), { instanceOf: RangeError });
});

test('bands stay exact at local hour edges in zones offset by quarter hours (remembered per quarter)', (t) => {
  // Nepal is UTC+05:45: 08:00 local is 02:15 UTC, the start of a UTC quarter-hour.
  // Thursday 2026-11-26 (a working day there and in Japan's calendar).
  const ask = (iso: string) => rateBand(Date.parse(iso), 'Asia/Kathmandu');
  t.is(ask('2026-11-26T02:14:59.999Z'), 'night');
  t.is(ask('2026-11-26T02:15:00.000Z'), 'normal');
  t.is(ask('2026-11-26T02:14:00.000Z'), 'night', 'asked again within the same quarter');
  t.is(ask('2026-11-26T13:14:59.999Z'), 'normal');
  t.is(ask('2026-11-26T13:15:00.000Z'), 'night');
  // The same instant in Tokyo (UTC+9) is another band: the zone is part of what is remembered.
  t.is(rateBand(Date.parse('2026-11-26T02:15:00.000Z'), 'Asia/Tokyo'), 'normal');
  t.is(rateBand(Date.parse('2026-11-26T10:15:00.000Z'), 'Asia/Tokyo'), 'night');
});
