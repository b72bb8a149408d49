import test from 'ava';
import { monthKey, previousMonthKey } from '../src/index.ts';

// Instants are given in UTC. Asia/Tokyo is UTC+9 all year; America/New_York is UTC-5 in
// winter and UTC-4 from the second Sunday of March to the first Sunday of November.
const monthKeys: Record<string, Array<[name: string, at: string, key: string]>> = {
  'Asia/Tokyo': [
    ['already December on 30 November 15:30 UTC', '2026-11-30T15:30:00Z', '2026-12'],
    ['the last millisecond of November', '2026-11-30T14:59:59.999Z', '2026-11'],
    ['the new year at 15:00 UTC', '2025-12-31T15:00:00Z', '2026-01'],
    ['the old year a second before', '2025-12-31T14:59:59Z', '2025-12'],
  ],
  UTC: [
    ['still November on 30 November 15:30', '2026-11-30T15:30:00Z', '2026-11'],
    ['still the old year when Tokyo has the new', '2025-12-31T15:00:00Z', '2025-12'],
    ['the new year at midnight', '2026-01-01T00:00:00Z', '2026-01'],
  ],
  'America/New_York': [
    ['the old year until 05:00 UTC', '2026-01-01T04:59:59Z', '2025-12'],
    ['the new year from 05:00 UTC', '2026-01-01T05:00:00Z', '2026-01'],
    // March starts before DST (UTC-5) and ends after it began (UTC-4).
    ['February until 05:00 UTC', '2026-03-01T04:59:59Z', '2026-02'],
    ['March from 05:00 UTC', '2026-03-01T05:00:00Z', '2026-03'],
    ['March until 04:00 UTC in summer time', '2026-04-01T03:59:59Z', '2026-03'],
    ['April from 04:00 UTC in summer time', '2026-04-01T04:00:00Z', '2026-04'],
    // DST ends at 02:00 local on 2026-11-01, two hours into the month.
    ['October until 04:00 UTC', '2026-11-01T03:59:59Z', '2026-10'],
    ['November from 04:00 UTC', '2026-11-01T04:00:00Z', '2026-11'],
    ['November in the repeated 01:30 after DST ends', '2026-11-01T06:30:00Z', '2026-11'],
    ['November until 05:00 UTC in winter time', '2026-12-01T04:59:59Z', '2026-11'],
  ],
};

for (const [zone, cases] of Object.entries(monthKeys)) {
  for (const [name, at, key] of cases) {
    test(`monthKey in ${zone}: ${name}`, (t) => {
      t.is(monthKey(Date.parse(at), zone), key);
    });
  }
}

const previous: Array<[string, string]> = [
  ['2026-01', '2025-12'],
  ['2026-02', '2026-01'],
  ['2026-12', '2026-11'],
  ['2000-01', '1999-12'],
  ['0001-01', '0000-12'],
];

for (const [key, before] of previous) {
  test(`previousMonthKey: ${key} follows ${before}`, (t) => {
    t.is(previousMonthKey(key), before);
  });
}

test('previousMonthKey of this month gives last month for the counts screen', (t) => {
  const thisMonth = monthKey(Date.parse('2026-01-15T00:00:00Z'), 'Asia/Tokyo');
  t.deepEqual([thisMonth, previousMonthKey(thisMonth)], ['2026-01', '2025-12']);
});

test('previousMonthKey refuses what is not a month key', (t) => {
  for (const key of ['2026-1', '2026-00', '2026-13', '26-01', '2026-01-01', ''])
    t.throws(() => previousMonthKey(key), { instanceOf: RangeError }, key);
});
