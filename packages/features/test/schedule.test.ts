import test from 'ava';
import fc from 'fast-check';
import {
  type DayOfWeek,
  type ScheduleEntry,
  activeScheduleEntry,
  nextScheduleSwitch,
  scheduleSwitchesBetween,
} from '../src/schedule.ts';

const TOKYO = 'Asia/Tokyo';
const NEW_YORK = 'America/New_York';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Tokyo wall time (UTC+9 all year) as an instant. */
const jst = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+09:00`);

const WEEKDAYS: DayOfWeek[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

// SPEC §3.2's example: office hours ring the desk; evenings and weekends go to the call centre.
const office: ScheduleEntry = { id: 1, days: WEEKDAYS, startTime: '09:00', patternId: 100 };
const evening: ScheduleEntry = { id: 2, days: WEEKDAYS, startTime: '18:00', patternId: 200 };
const weekend: ScheduleEntry = { id: 3, days: ['sat', 'sun'], startTime: '10:00', patternId: 300 };
const sundayNight: ScheduleEntry = { id: 4, days: ['sun'], startTime: '18:00', patternId: 200 };
const week = [office, evening, weekend, sundayNight];

// 2026-11-23 is a Monday.
const activeCases: Array<{ name: string; at: number; entry: ScheduleEntry | undefined }> = [
  { name: 'Tuesday 09:00 exactly is office hours', at: jst('2026-11-24 09:00'), entry: office },
  {
    name: '1 ms before Tuesday 09:00 is still evening',
    at: jst('2026-11-24 09:00') - 1,
    entry: evening,
  },
  {
    name: '1 ms after Tuesday 09:00 is office hours',
    at: jst('2026-11-24 09:00') + 1,
    entry: office,
  },
  { name: 'Tuesday 17:59:59.999 is office hours', at: jst('2026-11-24 18:00') - 1, entry: office },
  { name: 'Tuesday 18:00 exactly is evening', at: jst('2026-11-24 18:00'), entry: evening },
  {
    name: 'Wednesday noon (a day of a multi-day entry)',
    at: jst('2026-11-25 12:00'),
    entry: office,
  },
  { name: 'Friday 23:00 is evening', at: jst('2026-11-27 23:00'), entry: evening },
  { name: 'Saturday 09:59 is still Friday evening', at: jst('2026-11-28 09:59'), entry: evening },
  { name: 'Saturday 10:00 is the weekend', at: jst('2026-11-28 10:00'), entry: weekend },
  {
    name: 'Sunday 12:00 is the weekend (second day of the entry)',
    at: jst('2026-11-29 12:00'),
    entry: weekend,
  },
  { name: 'Sunday 18:00 is Sunday night', at: jst('2026-11-29 18:00'), entry: sundayNight },
  // The weekly cycle wraps: nothing starts between Sunday 18:00 and Monday 09:00.
  {
    name: 'Monday 00:00 is governed by Sunday 18:00',
    at: jst('2026-11-30 00:00'),
    entry: sundayNight,
  },
  {
    name: 'Monday 08:00 is governed by Sunday 18:00',
    at: jst('2026-11-30 08:00'),
    entry: sundayNight,
  },
  { name: 'Monday 09:00 is office hours again', at: jst('2026-11-30 09:00'), entry: office },
];

for (const c of activeCases) {
  test(`active: ${c.name}`, (t) => {
    t.is(activeScheduleEntry(week, TOKYO, c.at), c.entry);
  });
}

test('active: one weekly entry governs the whole week, back to its own day a week before', (t) => {
  const mondayNine: ScheduleEntry = { id: 7, days: ['mon'], startTime: '09:00', patternId: 1 };
  const other: ScheduleEntry = { id: 8, days: ['mon'], startTime: '09:01', patternId: 2 };
  // Monday 08:59 is governed by 09:01 of the Monday before, almost seven days back.
  t.is(activeScheduleEntry([mondayNine, other], TOKYO, jst('2026-11-30 08:59')), other);
  t.is(activeScheduleEntry([mondayNine], TOKYO, jst('2026-11-30 08:59')), mondayNine);
  t.is(activeScheduleEntry([mondayNine, other], TOKYO, jst('2026-11-30 09:00')), mondayNine);
});

test('active: two entries at the same day and time — the higher id wins, in any order', (t) => {
  const low: ScheduleEntry = { id: 5, days: ['tue'], startTime: '12:00', patternId: 1 };
  const high: ScheduleEntry = { id: 9, days: ['tue', 'wed'], startTime: '12:00', patternId: 2 };
  const at = jst('2026-11-24 12:00');
  t.is(activeScheduleEntry([low, high], TOKYO, at), high);
  t.is(activeScheduleEntry([high, low], TOKYO, at), high);
  t.deepEqual(nextScheduleSwitch([low, high], TOKYO, at - 1), { at, entry: high });
  t.deepEqual(nextScheduleSwitch([high, low], TOKYO, at - 1), { at, entry: high });
});

test('active: a day listed twice in one entry counts once', (t) => {
  const twice: ScheduleEntry = { id: 1, days: ['tue', 'tue'], startTime: '12:00', patternId: 1 };
  const from = jst('2026-11-24 00:00');
  t.deepEqual(
    scheduleSwitchesBetween([twice], TOKYO, from, from + DAY).map((s) => s.at),
    [jst('2026-11-24 12:00')],
  );
});

test('no entries, or entries without days: nothing is active and nothing switches', (t) => {
  const at = jst('2026-11-24 12:00');
  const dayless: ScheduleEntry = { id: 1, days: [], startTime: '12:00', patternId: 1 };
  for (const entries of [[], [dayless]]) {
    t.is(activeScheduleEntry(entries, TOKYO, at), undefined);
    t.is(nextScheduleSwitch(entries, TOKYO, at), undefined);
    t.deepEqual(scheduleSwitchesBetween(entries, TOKYO, at, at + 30 * DAY), []);
  }
});

const nextCases: Array<{ name: string; after: number; at: number; entry: ScheduleEntry }> = [
  {
    name: 'strictly after: from Tuesday 09:00 exactly the next is 18:00',
    after: jst('2026-11-24 09:00'),
    at: jst('2026-11-24 18:00'),
    entry: evening,
  },
  {
    name: '1 ms before Tuesday 09:00 the next is 09:00',
    after: jst('2026-11-24 09:00') - 1,
    at: jst('2026-11-24 09:00'),
    entry: office,
  },
  {
    name: 'from Friday evening the next is Saturday 10:00',
    after: jst('2026-11-27 18:00'),
    at: jst('2026-11-28 10:00'),
    entry: weekend,
  },
  {
    name: 'from Sunday night it wraps to Monday 09:00',
    after: jst('2026-11-29 18:00'),
    at: jst('2026-11-30 09:00'),
    entry: office,
  },
];

for (const c of nextCases) {
  test(`next: ${c.name}`, (t) => {
    t.deepEqual(nextScheduleSwitch(week, TOKYO, c.after), { at: c.at, entry: c.entry });
  });
}

test('next: a single weekly entry switches again a week later', (t) => {
  const only: ScheduleEntry = { id: 1, days: ['wed'], startTime: '07:30', patternId: 1 };
  const at = jst('2026-11-25 07:30');
  t.deepEqual(nextScheduleSwitch([only], TOKYO, at), { at: at + 7 * DAY, entry: only });
});

test('catch-up: every switch of an outage from Friday 17:00 to Monday 09:30, in order', (t) => {
  const switches = scheduleSwitchesBetween(
    week,
    TOKYO,
    jst('2026-11-27 17:00'),
    jst('2026-11-30 09:30'),
  );
  t.deepEqual(switches, [
    { at: jst('2026-11-27 18:00'), entry: evening },
    { at: jst('2026-11-28 10:00'), entry: weekend },
    { at: jst('2026-11-29 10:00'), entry: weekend },
    { at: jst('2026-11-29 18:00'), entry: sundayNight },
    { at: jst('2026-11-30 09:00'), entry: office },
  ]);
});

test('catch-up: the interval is (from, to] — a switch at `from` is done, one at `to` is due', (t) => {
  const from = jst('2026-11-24 09:00');
  const to = jst('2026-11-25 09:00');
  t.deepEqual(scheduleSwitchesBetween(week, TOKYO, from, to), [
    { at: jst('2026-11-24 18:00'), entry: evening },
    { at: to, entry: office },
  ]);
  t.deepEqual(scheduleSwitchesBetween(week, TOKYO, from, from), []);
  t.deepEqual(scheduleSwitchesBetween(week, TOKYO, to, from), []);
});

test('catch-up: a four-week outage lists every switch of every day', (t) => {
  const from = jst('2026-11-30 08:00'); // Monday
  const switches = scheduleSwitchesBetween(week, TOKYO, from, from + 28 * DAY);
  // 4 weeks × (5 × 2 office/evening + 2 weekend + 1 Sunday night)
  t.is(switches.length, 4 * 13);
  t.true(switches.every((s, i) => i === 0 || s.at > (switches[i - 1]?.at ?? 0)));
});

// America/New_York, 2026: clocks go 02:00 EST → 03:00 EDT on Sunday 8 March (07:00Z), and
// 02:00 EDT → 01:00 EST on Sunday 1 November (06:00Z).
const earlySunday: ScheduleEntry = { id: 1, days: ['sun'], startTime: '01:30', patternId: 1 };
const inTheGap: ScheduleEntry = { id: 2, days: ['sun'], startTime: '02:30', patternId: 2 };
const utc = (iso: string) => Date.parse(iso);

test('DST: an ordinary Sunday in New York (EST) starts 02:30 at 07:30Z', (t) => {
  t.deepEqual(nextScheduleSwitch([inTheGap], NEW_YORK, utc('2026-03-01T00:00Z')), {
    at: utc('2026-03-01T07:30Z'),
    entry: inTheGap,
  });
});

test('DST: 02:30 does not exist on 2026-03-08 in New York — it starts at 03:00 EDT, the end of the gap', (t) => {
  const entries = [earlySunday, inTheGap];
  t.deepEqual(nextScheduleSwitch(entries, NEW_YORK, utc('2026-03-08T06:30Z')), {
    at: utc('2026-03-08T07:00Z'),
    entry: inTheGap,
  });
  t.is(activeScheduleEntry(entries, NEW_YORK, utc('2026-03-08T07:00Z') - 1), earlySunday);
  t.is(activeScheduleEntry(entries, NEW_YORK, utc('2026-03-08T07:00Z')), inTheGap);
  // The next Sunday is on EDT: 02:30 is 06:30Z.
  t.deepEqual(nextScheduleSwitch(entries, NEW_YORK, utc('2026-03-15T06:00Z')), {
    at: utc('2026-03-15T06:30Z'),
    entry: inTheGap,
  });
});

test('DST: two starts inside one gap are one switch, won by the later local time', (t) => {
  const threeAm: ScheduleEntry = { id: 1, days: ['sun'], startTime: '03:00', patternId: 3 };
  const from = utc('2026-03-08T05:00Z');
  t.deepEqual(scheduleSwitchesBetween([inTheGap, threeAm], NEW_YORK, from, from + 5 * HOUR), [
    { at: utc('2026-03-08T07:00Z'), entry: threeAm },
  ]);
  t.is(activeScheduleEntry([inTheGap, threeAm], NEW_YORK, utc('2026-03-08T07:00Z')), threeAm);
});

test('DST: 01:30 happens twice on 2026-11-01 in New York — the entry starts at the first (EDT)', (t) => {
  const entries = [earlySunday, inTheGap];
  const first = utc('2026-11-01T05:30Z'); // 01:30 EDT
  const second = utc('2026-11-01T06:30Z'); // 01:30 EST
  t.deepEqual(nextScheduleSwitch(entries, NEW_YORK, utc('2026-11-01T04:00Z')), {
    at: first,
    entry: earlySunday,
  });
  t.is(activeScheduleEntry(entries, NEW_YORK, first - 1), inTheGap);
  t.is(activeScheduleEntry(entries, NEW_YORK, first), earlySunday);
  t.is(activeScheduleEntry(entries, NEW_YORK, second), earlySunday);
  // No second switch at the repeated 01:30; 02:30 EST comes next.
  t.deepEqual(scheduleSwitchesBetween(entries, NEW_YORK, first - 1, utc('2026-11-01T08:00Z')), [
    { at: first, entry: earlySunday },
    { at: utc('2026-11-01T07:30Z'), entry: inTheGap },
  ]);
});

test('DST: Europe/Berlin across both 2026 changes (29 March, 25 October)', (t) => {
  const twoThirty: ScheduleEntry = { id: 1, days: ['sun'], startTime: '02:30', patternId: 1 };
  // 02:00 CET → 03:00 CEST at 01:00Z: 02:30 starts at the end of the gap.
  t.is(
    nextScheduleSwitch([twoThirty], 'Europe/Berlin', utc('2026-03-29T00:00Z'))?.at,
    utc('2026-03-29T01:00Z'),
  );
  // 03:00 CEST → 02:00 CET at 01:00Z: 02:30 CEST (00:30Z) is the first.
  t.is(
    nextScheduleSwitch([twoThirty], 'Europe/Berlin', utc('2026-10-25T00:00Z'))?.at,
    utc('2026-10-25T00:30Z'),
  );
});

test('DST: a half-hour change (Australia/Lord_Howe 2026-10-04, 02:00 → 02:30)', (t) => {
  const twoFifteen: ScheduleEntry = { id: 1, days: ['sun'], startTime: '02:15', patternId: 1 };
  // 02:00 +10:30 is 15:30Z on the 3rd; 02:15 does not exist and starts with 02:30 +11:00.
  t.is(
    nextScheduleSwitch([twoFifteen], 'Australia/Lord_Howe', utc('2026-10-03T12:00Z'))?.at,
    utc('2026-10-03T15:30Z'),
  );
});

test('malformed entries and unknown zones are refused with a RangeError naming the fault', (t) => {
  const at = jst('2026-11-24 12:00');
  for (const startTime of ['24:00', '9:00', '09:60', '0900', '09:00:00', '']) {
    const entry: ScheduleEntry = { id: 42, days: ['mon'], startTime, patternId: 1 };
    t.throws(() => activeScheduleEntry([entry], TOKYO, at), {
      instanceOf: RangeError,
      message: `schedule entry 42: start time "${startTime}" is not HH:MM from 00:00 to 23:59`,
    });
  }
  const badDay = {
    id: 43,
    days: ['Mon'],
    startTime: '09:00',
    patternId: 1,
  } as unknown as ScheduleEntry;
  t.throws(() => nextScheduleSwitch([badDay], TOKYO, at), {
    instanceOf: RangeError,
    message: 'schedule entry 43: "Mon" is not a day of the week (mon … sun)',
  });
  t.throws(() => activeScheduleEntry(week, 'Asia/Nowhere', at), { instanceOf: RangeError });
});

// Properties, over schedules of up to 5 entries in zones with and without DST.

const dayArb = fc.constantFrom<DayOfWeek>('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun');
const timeArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
// Few distinct times, so ties and DST-gap collisions come up.
const startTimeArb = fc.oneof(
  fc.constantFrom('00:00', '01:30', '02:00', '02:30', '03:00'),
  timeArb,
);
const entriesArb = fc
  .array(
    fc.record({
      id: fc.integer({ min: 1, max: 20 }),
      days: fc.uniqueArray(dayArb, { minLength: 1, maxLength: 7 }),
      startTime: startTimeArb,
      patternId: fc.integer({ min: 1, max: 5 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  // Ids are unique in storage.
  .map((entries) => entries.map((e, i) => ({ ...e, id: e.id * 10 + i })));
const zoneArb = fc.constantFrom(
  TOKYO,
  NEW_YORK,
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
);
// 2016–2030, around the DST changes in March/April and October/November more often.
const instantArb = fc.oneof(
  fc.integer({ min: utc('2016-01-01T00:00Z'), max: utc('2030-12-31T00:00Z') }),
  fc
    .tuple(
      fc.integer({ min: 2016, max: 2030 }),
      fc.constantFrom(1, 2, 3, 9, 10),
      fc.integer({ min: 0, max: 40 * DAY }),
    )
    .map(([y, m, ms]) => Date.UTC(y, m, 1) + ms),
);

test('property: activeScheduleEntry(at) is the entry of the last switch at or before at', (t) => {
  fc.assert(
    fc.property(entriesArb, zoneArb, instantArb, (entries, zone, at) => {
      const switches = scheduleSwitchesBetween(entries, zone, at - 8 * DAY, at);
      return activeScheduleEntry(entries, zone, at) === switches.at(-1)?.entry;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('property: nothing switches between an instant and the next switch', (t) => {
  fc.assert(
    fc.property(entriesArb, zoneArb, instantArb, (entries, zone, at) => {
      const next = nextScheduleSwitch(entries, zone, at);
      if (next === undefined) return false;
      return (
        next.at > at &&
        next.at - at <= 7 * DAY + HOUR &&
        activeScheduleEntry(entries, zone, next.at) === next.entry &&
        activeScheduleEntry(entries, zone, next.at - 1) === activeScheduleEntry(entries, zone, at)
      );
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('property: nextScheduleSwitch is strictly increasing, and the catch-up list is its chain', (t) => {
  fc.assert(
    fc.property(entriesArb, zoneArb, instantArb, (entries, zone, from) => {
      const chain: number[] = [];
      let after = from;
      for (let i = 0; i < 12; i++) {
        const next = nextScheduleSwitch(entries, zone, after);
        if (next === undefined || next.at <= after) return false;
        chain.push(next.at);
        after = next.at;
      }
      const listed = scheduleSwitchesBetween(entries, zone, from, after).map((s) => s.at);
      return JSON.stringify(listed) === JSON.stringify(chain);
    }),
    { numRuns: 150 },
  );
  t.pass();
});

const localFormat = new Map<string, Intl.DateTimeFormat>();
function localWeekdayAndMinute(zone: string, at: number): { day: string; minute: number } {
  let f = localFormat.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    localFormat.set(zone, f);
  }
  const parts = f.formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: part('weekday').toLowerCase(),
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

test('property: a switch happens on one of its entry’s days at its start time, or just after a DST gap', (t) => {
  fc.assert(
    fc.property(entriesArb, zoneArb, instantArb, (entries, zone, from) => {
      for (const s of scheduleSwitchesBetween(entries, zone, from, from + 10 * DAY)) {
        const local = localWeekdayAndMinute(zone, s.at);
        const [h = 0, m = 0] = s.entry.startTime.split(':').map(Number);
        const late = local.minute - (h * 60 + m);
        if (!(s.entry.days as string[]).includes(local.day)) return false;
        // Without a gap the local time is exact; a gap (at most an hour in these zones)
        // moves the start to its end.
        if (zone === TOKYO ? late !== 0 : late < 0 || late > 60) return false;
        if (s.at % MINUTE !== 0) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

/** An independent reading for a zone at a fixed UTC+9: plain arithmetic, no Intl. */
function tokyoOracle(entries: readonly ScheduleEntry[], at: number): ScheduleEntry | undefined {
  const order: DayOfWeek[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const local = at + 9 * HOUR;
  const midnight = local - (((local % DAY) + DAY) % DAY);
  let best: { at: number; id: number; entry: ScheduleEntry } | undefined;
  for (const entry of entries) {
    const [h = 0, m = 0] = entry.startTime.split(':').map(Number);
    for (let back = 0; back <= 7; back++) {
      const day = midnight - back * DAY;
      if (!entry.days.includes(order[new Date(day).getUTCDay()] ?? 'sun')) continue;
      const start = day + h * HOUR + m * MINUTE - 9 * HOUR;
      if (start > at) continue;
      if (best === undefined || start > best.at || (start === best.at && entry.id > best.id)) {
        best = { at: start, id: entry.id, entry };
      }
      break;
    }
  }
  return best?.entry;
}

test('property: in Tokyo the active entry matches a plain-arithmetic reading', (t) => {
  fc.assert(
    fc.property(entriesArb, instantArb, (entries, at) => {
      return activeScheduleEntry(entries, TOKYO, at) === tokyoOracle(entries, at);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
