import test from 'ava';
import {
  type UsagePeriodInput,
  type UsagePeriodRule,
  checkUsagePeriod,
  usagePeriodMessages,
} from '../src/usage-period.ts';

const TOKYO = 'Asia/Tokyo';
/** 2025-11-23 18:00 in Tokyo: the window is 2025-09-01 00:00:00 … 2025-11-22 23:59:59. */
const NOW = new Date('2025-11-23T09:00:00Z');

const accepted: Array<{
  name: string;
  period: UsagePeriodInput;
  now?: Date;
  from?: string;
  to?: string;
}> = [
  {
    name: 'one hour exactly, 09:00:00 to 09:59:59',
    period: { from: '2025-11-20T09:00:00', to: '2025-11-20T09:59:59' },
  },
  {
    name: 'from 00:00 on the 1st of the month before last',
    period: { from: '2025-09-01T00:00:00', to: '2025-09-30T23:59:59' },
  },
  {
    name: 'up to yesterday 23:59:59',
    period: { from: '2025-11-01T00:00:00', to: '2025-11-22T23:59:59' },
  },
  {
    name: 'a 30-day month whole (September)',
    period: { from: '2025-09-01T00:00:00', to: '2025-09-30T23:59:59' },
  },
  {
    name: 'a 31-day month whole (October)',
    period: { from: '2025-10-01T00:00:00', to: '2025-10-31T23:59:59' },
  },
  {
    name: 'one month from mid-month: 15 Sep 10:00 to 15 Oct 09:59:59',
    period: { from: '2025-09-15T10:00:00', to: '2025-10-15T09:59:59' },
  },
  {
    name: 'from 31 January to the end of a 28-day February',
    now: new Date('2025-03-15T00:00:00Z'),
    period: { from: '2025-01-31T00:00:00', to: '2025-02-28T23:59:59' },
  },
  {
    name: 'from 31 January to the end of a leap-year February',
    now: new Date('2024-03-15T00:00:00Z'),
    period: { from: '2024-01-31T00:00:00', to: '2024-02-29T23:59:59' },
  },
  {
    name: 'the window crosses the new year: in January, November is the month before last',
    now: new Date('2026-01-10T00:00:00Z'),
    period: { from: '2025-11-01T00:00:00', to: '2025-11-30T23:59:59' },
  },
  {
    name: 'minutes without seconds are read as :00',
    period: { from: '2025-11-20T09:00', to: '2025-11-20T10:00' },
    from: '2025-11-20T09:00:00',
    to: '2025-11-20T10:00:00',
  },
];

for (const c of accepted) {
  test(`accepts ${c.name}`, (t) => {
    const result = checkUsagePeriod(c.period, c.now ?? NOW, TOKYO);
    t.like(result, {
      ok: true,
      clamped: false,
      from: c.from ?? c.period.from,
      to: c.to ?? c.period.to,
    });
  });
}

const refused: Array<{
  name: string;
  period: UsagePeriodInput;
  now?: Date;
  rule: UsagePeriodRule;
  field: 'from' | 'to';
}> = [
  {
    name: '31 April (h)',
    period: { from: '2025-04-31T00:00:00', to: '2025-11-20T00:00:00' },
    rule: 'calendar',
    field: 'from',
  },
  {
    name: '29 February outside a leap year (h)',
    period: { from: '2025-11-01T00:00:00', to: '2025-02-29T00:00:00' },
    rule: 'calendar',
    field: 'to',
  },
  {
    name: '24:00 (h)',
    period: { from: '2025-11-20T24:00:00', to: '2025-11-21T00:00:00' },
    rule: 'calendar',
    field: 'from',
  },
  {
    name: 'text that is no date',
    period: { from: 'yesterday', to: '2025-11-21T00:00:00' },
    rule: 'calendar',
    field: 'from',
  },
  {
    name: 'an end before the start (g)',
    period: { from: '2025-11-20T10:00:00', to: '2025-11-20T09:59:59' },
    rule: 'order',
    field: 'from',
  },
  {
    name: 'a start one second before the 1st of the month before last (b)',
    period: { from: '2025-08-31T23:59:59', to: '2025-09-01T09:00:00' },
    rule: 'tooEarly',
    field: 'from',
  },
  {
    name: 'a period wholly before the window (a)',
    period: { from: '2025-08-01T00:00:00', to: '2025-08-02T00:00:00' },
    rule: 'tooEarly',
    field: 'from',
  },
  {
    name: 'a period reaching over both ends of the window (f)',
    period: { from: '2025-08-31T00:00:00', to: '2025-12-01T00:00:00' },
    rule: 'tooEarly',
    field: 'from',
  },
  {
    name: 'a period starting today (e)',
    period: { from: '2025-11-23T00:00:00', to: '2025-11-23T10:00:00' },
    rule: 'future',
    field: 'from',
  },
  {
    name: 'one second more than a 30-day month',
    period: { from: '2025-09-01T00:00:00', to: '2025-10-01T00:00:00' },
    rule: 'tooLong',
    field: 'to',
  },
  {
    name: 'one second more than a month from 30 September (31-day October)',
    period: { from: '2025-09-30T00:00:00', to: '2025-10-30T00:00:00' },
    rule: 'tooLong',
    field: 'to',
  },
  {
    name: 'from 31 January into March of a common year',
    now: new Date('2025-03-15T00:00:00Z'),
    period: { from: '2025-01-31T00:00:00', to: '2025-03-01T00:00:00' },
    rule: 'tooLong',
    field: 'to',
  },
  {
    name: 'one second short of an hour',
    period: { from: '2025-11-20T09:00:00', to: '2025-11-20T09:59:58' },
    rule: 'tooShort',
    field: 'to',
  },
  {
    name: 'the same second twice',
    period: { from: '2025-11-20T09:00:00', to: '2025-11-20T09:00:00' },
    rule: 'tooShort',
    field: 'to',
  },
  {
    name: 'half an hour left once the end is clamped to yesterday',
    period: { from: '2025-11-22T23:30:00', to: '2025-11-23T10:00:00' },
    rule: 'tooShort',
    field: 'to',
  },
  {
    name: 'more than a month even after the clamp',
    period: { from: '2025-09-01T00:00:00', to: '2026-01-01T00:00:00' },
    rule: 'tooLong',
    field: 'to',
  },
];

for (const c of refused) {
  test(`refuses ${c.name}`, (t) => {
    t.deepEqual(checkUsagePeriod(c.period, c.now ?? NOW, TOKYO), {
      ok: false,
      rule: c.rule,
      field: c.field,
      message: usagePeriodMessages[c.rule].en,
      messageJa: usagePeriodMessages[c.rule].ja,
    });
  });
}

test('an end in the future is clamped to yesterday 23:59:59 Tokyo time', (t) => {
  t.deepEqual(
    checkUsagePeriod({ from: '2025-11-01T00:00:00', to: '2025-11-30T23:59:59' }, NOW, TOKYO),
    {
      ok: true,
      from: '2025-11-01T00:00:00',
      to: '2025-11-22T23:59:59',
      clamped: true,
      // Tokyo is UTC+9: local midnight is 15:00 UTC the day before.
      start: '2025-10-31T15:00:00.000Z',
      end: '2025-11-22T15:00:00.000Z',
    },
  );
});

test('yesterday turns at Tokyo midnight, not UTC midnight', (t) => {
  const period = { from: '2025-11-22T00:00:00', to: '2025-11-22T23:59:59' };
  // 23:59:59 on the 22nd in Tokyo: the 22nd is still today.
  const before = checkUsagePeriod(period, new Date('2025-11-22T14:59:59Z'), TOKYO);
  t.like(before, { ok: false, rule: 'future' });
  // 00:00 on the 23rd in Tokyo (still the 22nd in UTC): the 22nd is now yesterday.
  const after = checkUsagePeriod(period, new Date('2025-11-22T15:00:00Z'), TOKYO);
  t.like(after, { ok: true, clamped: false, to: '2025-11-22T23:59:59' });
});

test('the month before last turns at Tokyo midnight on the 1st', (t) => {
  const period = { from: '2025-09-01T00:00:00', to: '2025-09-01T01:00:00' };
  // 1 December 00:00 Tokyo = 30 November 15:00 UTC: September has left the window.
  t.like(checkUsagePeriod(period, new Date('2025-11-30T14:59:59Z'), TOKYO), { ok: true });
  t.like(checkUsagePeriod(period, new Date('2025-11-30T15:00:00Z'), TOKYO), {
    ok: false,
    rule: 'tooEarly',
  });
});

test('the same local period is another instant in another zone', (t) => {
  const result = checkUsagePeriod(
    { from: '2025-11-20T09:00:00', to: '2025-11-20T09:59:59' },
    NOW,
    'UTC',
  );
  t.like(result, { ok: true, start: '2025-11-20T09:00:00.000Z', end: '2025-11-20T10:00:00.000Z' });
});
