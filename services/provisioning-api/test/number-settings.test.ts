import {
  addScreeningCounts,
  listForwardingSchedules,
  listSettingHistory,
  replaceSubscriptions,
  upsertNumber,
  type SubscriptionInput,
} from '@ipvoice/db';
import { blockedCallerMessages, settingMessages, targetMessages } from '@ipvoice/features';
import { settingsChangedChannel } from '@ipvoice/state';
import { scheduleMessages } from '../src/routes/number-schedule-routes.ts';
import { eachDialect, type Harness } from './helpers/harness.ts';

const dialectTest = eachDialect();
const N1 = '0312345678';

async function subscribe(h: Harness, wanted: SubscriptionInput[]) {
  await replaceSubscriptions(h.db, { numberId: h.tenant.n1.id }, wanted, new Date(h.clock.now()));
}

async function noticesOf(h: Harness): Promise<string[]> {
  const notices: string[] = [];
  await h.state.subscribe(settingsChangedChannel, (m) => {
    notices.push(m);
  });
  return notices;
}

const conditions = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 15,
};

interface Resource {
  path: string;
  /** The stored document's feature, as the setting history names it. */
  feature: string;
  subscription?: SubscriptionInput;
  /** Who changes it in the test: users may not change every setting (SPEC §4). */
  login: 'user' | 'sa';
  initial: unknown;
  put: Record<string, unknown>;
  /** What the PUT and the GET after it answer. */
  answer: unknown;
  /** The stored document, as the history row's `after`. */
  stored: unknown;
}

const resources: Resource[] = [
  {
    path: 'caller-id',
    feature: 'caller_id',
    login: 'user',
    initial: { presentation: 'present' },
    put: { presentation: 'withhold' },
    answer: { presentation: 'withhold' },
    stored: { presentation: 'withhold' },
  },
  {
    path: 'anonymous-rejection',
    feature: 'anonymous_rejection',
    subscription: { feature: 'anonymous_rejection' },
    login: 'user',
    initial: { enabled: true },
    put: { enabled: false },
    answer: { enabled: false },
    stored: { enabled: false },
  },
  {
    path: 'international-barring',
    feature: 'international_barring',
    login: 'sa',
    initial: { enabled: false },
    put: { enabled: true },
    answer: { enabled: true },
    stored: { enabled: true },
  },
  {
    path: 'specific-number-presentation',
    feature: 'specific_number_presentation',
    subscription: { feature: 'specific_number_presentation', operatorNumber: '0570123456' },
    login: 'sa',
    initial: { enabled: true, number: '0570123456' },
    // The operator's number is read-only: sent back, it is ignored.
    put: { enabled: false, number: '0120999999' },
    answer: { enabled: false, number: '0570123456' },
    stored: { enabled: false },
  },
  {
    path: 'outgoing-restriction',
    feature: 'outgoing_restriction',
    login: 'sa',
    initial: { categories: [] },
    put: { categories: ['navi_dial_0570', 'international', 'navi_dial_0570'] },
    answer: { categories: ['international', 'navi_dial_0570'] },
    stored: { categories: ['international', 'navi_dial_0570'] },
  },
  {
    path: 'special-forwarding',
    feature: 'special_number_forwarding',
    subscription: { feature: 'special_number_forwarding', operatorNumber: '0120123456' },
    login: 'user',
    initial: {
      enabled: false,
      unconditional: false,
      onBusy: false,
      onNoAnswer: false,
      onUnreachable: false,
      ringTimeSeconds: 20,
      target: '0120123456',
    },
    put: { ...conditions, target: '0120999999' },
    answer: { ...conditions, target: '0120123456' },
    stored: conditions,
  },
];

for (const r of resources) {
  dialectTest(
    `${r.path}: GET shows the default, PUT stores it with a history row and a notice`,
    async (t, h) => {
      if (r.subscription) await subscribe(h, [r.subscription]);
      const cookie = await h.login(r.login);
      const notices = await noticesOf(h);
      const url = `/numbers/${N1}/${r.path}`;
      const before = await h.request({ method: 'GET', url, cookie });
      t.is(before.statusCode, 200, before.body);
      t.deepEqual(before.json(), r.initial);
      const put = await h.request({ method: 'PUT', url, cookie, payload: r.put });
      t.is(put.statusCode, 200, put.body);
      t.deepEqual(put.json(), r.answer);
      t.deepEqual((await h.request({ method: 'GET', url, cookie })).json(), r.answer);
      const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
      t.is(history.length, 1);
      t.like(history[0], {
        actor: r.login,
        feature: r.feature,
        action: 'create',
        before: null,
        after: r.stored,
        siteId: h.tenant.s1.id,
      });
      t.deepEqual(notices, [N1]);
      // The same setting again changes nothing: no history, no notice.
      await h.request({ method: 'PUT', url, cookie, payload: r.put });
      t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 1);
      t.deepEqual(notices, [N1]);
    },
  );
  if (r.subscription === undefined) continue;
  const feature = r.subscription.feature;
  dialectTest(`${r.path}: without the ${feature} subscription, 409`, async (t, h) => {
    const cookie = await h.login(r.login);
    for (const method of ['GET', 'PUT'] as const) {
      const res = await h.request({
        method,
        url: `/numbers/${N1}/${r.path}`,
        cookie,
        ...(method === 'PUT' ? { payload: r.put } : {}),
      });
      t.is(res.statusCode, 409, `${method}: ${res.body}`);
      t.deepEqual(res.json(), {
        error: 'not_subscribed',
        message: `${N1} is not subscribed for ${feature}`,
      });
    }
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 0);
  });
}

/** [title, resource path, body, field, message (exact) or pattern] */
const problems: Array<[string, string, Record<string, unknown>, string, string | RegExp]> = [
  [
    'an unknown presentation',
    'caller-id',
    { presentation: 'hidden' },
    'presentation',
    /^presentation: .*\(invalid_value\)$/,
  ],
  [
    'an anonymous-rejection switch that is not a boolean',
    'anonymous-rejection',
    { enabled: 'yes' },
    'enabled',
    /^enabled: .*\(invalid_type\)$/,
  ],
  [
    'a barring switch that is missing',
    'international-barring',
    {},
    'enabled',
    /^enabled: .*\(invalid_type\)$/,
  ],
  [
    'a specific-number switch that is not a boolean',
    'specific-number-presentation',
    { enabled: 1 },
    'enabled',
    /^enabled: .*\(invalid_type\)$/,
  ],
  [
    'an unknown restriction category',
    'outgoing-restriction',
    { categories: ['mobile'] },
    'categories.0',
    /^categories\.0: .*\(invalid_value\)$/,
  ],
  [
    'a blocked caller with letters',
    'nuisance-blocking',
    { numbers: ['0312345678', '03-ABCD-5678'] },
    'numbers.1',
    blockedCallerMessages.characters,
  ],
  [
    'a blocked caller with 4 hyphens',
    'nuisance-blocking',
    { numbers: ['0-3-1-2-345678'] },
    'numbers.0',
    blockedCallerMessages.hyphens,
  ],
  [
    'a blocked caller over 13 characters',
    'nuisance-blocking',
    { numbers: ['090-1234-56789'] },
    'numbers.0',
    blockedCallerMessages.length,
  ],
  [
    'a blocked caller not starting 01–09',
    'nuisance-blocking',
    { numbers: ['0012345678'] },
    'numbers.0',
    blockedCallerMessages.number,
  ],
  [
    'a blocked caller of 12 digits',
    'nuisance-blocking',
    { numbers: ['090123456789'] },
    'numbers.0',
    blockedCallerMessages.number,
  ],
  [
    'a blocked caller listed twice',
    'nuisance-blocking',
    { numbers: ['0312340000', '03-1234-0000'] },
    'numbers.1',
    blockedCallerMessages.duplicate('0312340000'),
  ],
  [
    '31 blocked callers',
    'nuisance-blocking',
    { numbers: Array.from({ length: 31 }, (_, i) => `03123400${String(i).padStart(2, '0')}`) },
    'numbers',
    blockedCallerMessages.tooMany,
  ],
  [
    'special forwarding unconditional with conditions',
    'special-forwarding',
    { ...conditions, unconditional: true },
    'unconditional',
    settingMessages.unconditionalExclusive,
  ],
  [
    'special forwarding on without a condition',
    'special-forwarding',
    { ...conditions, onBusy: false, onNoAnswer: false },
    'enabled',
    settingMessages.noCondition,
  ],
  [
    'a special-forwarding ring time of 4 s',
    'special-forwarding',
    { ...conditions, ringTimeSeconds: 4 },
    'ringTimeSeconds',
    settingMessages.ringTime,
  ],
  [
    'a special-forwarding ring time of 31 s',
    'special-forwarding',
    { ...conditions, ringTimeSeconds: 31 },
    'ringTimeSeconds',
    settingMessages.ringTime,
  ],
  [
    'a special-forwarding ring time of 7.5 s',
    'special-forwarding',
    { ...conditions, ringTimeSeconds: 7.5 },
    'ringTimeSeconds',
    settingMessages.ringTime,
  ],
];

const allSubscriptions: SubscriptionInput[] = [
  { feature: 'anonymous_rejection' },
  { feature: 'nuisance_blocking' },
  { feature: 'special_number_forwarding', operatorNumber: '0120123456' },
  { feature: 'specific_number_presentation', operatorNumber: '0570123456' },
];

for (const [title, path, payload, field, message] of problems) {
  dialectTest(`${path}: PUT refuses ${title}, naming the field and the rule`, async (t, h) => {
    await subscribe(h, allSubscriptions);
    const cookie = await h.login('ga');
    const r = await h.request({ method: 'PUT', url: `/numbers/${N1}/${path}`, cookie, payload });
    t.is(r.statusCode, 400, r.body);
    const body = r.json<{ error: string; field: string; message: string }>();
    t.like(body, { error: 'validation', field });
    if (typeof message === 'string') t.is(body.message, message);
    else t.regex(body.message, message);
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 0);
  });
}

dialectTest('outgoing-restriction: a dial-in number is refused with 409', async (t, h) => {
  const dialIn = (
    await upsertNumber(
      h.db,
      {
        number: '0312349999',
        kind: 'dial_in',
        access_line_id: h.tenant.n1.access_line_id,
        base_number_id: h.tenant.n1.id,
      },
      new Date(h.clock.now()),
    )
  ).row;
  const cookie = await h.login('sa');
  for (const method of ['GET', 'PUT'] as const) {
    const r = await h.request({
      method,
      url: `/numbers/${dialIn.number}/outgoing-restriction`,
      cookie,
      ...(method === 'PUT' ? { payload: { categories: ['international'] } } : {}),
    });
    t.is(r.statusCode, 409, r.body);
    t.deepEqual(r.json(), {
      error: 'not_base_number',
      message:
        '0312349999 is a dial-in number: outgoing restriction is set on its base number (SPEC §3.10)',
    });
  }
});

dialectTest('nuisance-blocking: entries keep their first registration time', async (t, h) => {
  await subscribe(h, [{ feature: 'nuisance_blocking' }]);
  const cookie = await h.login('user');
  const notices = await noticesOf(h);
  const url = `/numbers/${N1}/nuisance-blocking`;
  t.deepEqual((await h.request({ method: 'GET', url, cookie })).json(), {
    entries: [],
    rejectedCalls: { thisMonth: 0, lastMonth: 0 },
  });
  const first = new Date(h.clock.now()).toISOString();
  const put = await h.request({
    method: 'PUT',
    url,
    cookie,
    payload: { numbers: ['03-1111-2222'] },
  });
  t.is(put.statusCode, 200, put.body);
  t.deepEqual(put.json<{ entries: unknown }>().entries, [
    { number: '0311112222', registeredAt: first },
  ]);
  h.clock.advance(60_000);
  const second = new Date(h.clock.now()).toISOString();
  const again = await h.request({
    method: 'PUT',
    url,
    cookie,
    payload: { numbers: ['090-2222-3333', '0311112222'] },
  });
  const entries = [
    { number: '09022223333', registeredAt: second },
    { number: '0311112222', registeredAt: first },
  ];
  t.deepEqual(again.json<{ entries: unknown }>().entries, entries);
  t.deepEqual(
    (await h.request({ method: 'GET', url, cookie })).json<{ entries: unknown }>().entries,
    entries,
  );
  const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
  t.deepEqual(
    history.map((e) => [e.feature, e.action]),
    [
      ['nuisance_blocking', 'update'],
      ['nuisance_blocking', 'create'],
    ],
  );
  t.deepEqual(notices, [N1, N1]);
});

dialectTest(
  'nuisance-blocking: rejected calls this and last month, in Tokyo, across the month boundary',
  async (t, h) => {
    await subscribe(h, [{ feature: 'nuisance_blocking' }]);
    const at = new Date(h.clock.now());
    const count = (month: string, n: number) => ({
      numberId: h.tenant.n1.id,
      feature: 'nuisance_blocking' as const,
      month,
      count: n,
    });
    await addScreeningCounts(
      h.db,
      [count('2025-10', 2), count('2025-11', 5), count('2025-12', 1)],
      at,
    );
    // Another feature's counter is not these.
    await addScreeningCounts(
      h.db,
      [{ ...count('2025-11', 9), feature: 'anonymous_rejection' }],
      at,
    );
    const counts = async () => {
      const cookie = await h.login('sa');
      const r = await h.request({ method: 'GET', url: `/numbers/${N1}/nuisance-blocking`, cookie });
      return r.json<{ rejectedCalls: unknown }>().rejectedCalls;
    };
    t.deepEqual(await counts(), { thisMonth: 5, lastMonth: 2 });
    // 2025-11-30 23:59 in Tokyo is still November there.
    h.clock.t = Date.parse('2025-11-30T14:59:00Z');
    t.deepEqual(await counts(), { thisMonth: 5, lastMonth: 2 });
    // 2025-12-01 00:00 in Tokyo (15:00 UTC the day before): December, though UTC is in November.
    h.clock.t = Date.parse('2025-11-30T15:00:00Z');
    t.deepEqual(await counts(), { thisMonth: 1, lastMonth: 5 });
  },
);

const pattern = (extra: Record<string, unknown> = {}) => ({
  enabled: true,
  unconditional: true,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: 'slot1',
  slots: ['03-5555-6666', null, null, null, null],
  ...extra,
});

const schedule = (extra: Record<string, unknown> = {}) => ({
  patterns: [
    {
      name: 'office',
      setting: pattern({
        enabled: false,
        activeTarget: null,
        slots: [null, null, null, null, null],
      }),
    },
    { name: 'night', setting: pattern() },
  ],
  entries: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '09:00', pattern: 'office' },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '18:00', pattern: 'night' },
    { days: ['sat', 'sun'], startTime: '00:00', pattern: 'night' },
  ],
  ...extra,
});

dialectTest(
  'schedule: PUT stores patterns and weekly entries as the scheduler reads them, with history and notice',
  async (t, h) => {
    const cookie = await h.login('user');
    const notices = await noticesOf(h);
    const url = `/numbers/${N1}/schedule`;
    t.deepEqual((await h.request({ method: 'GET', url, cookie })).json(), {
      patterns: [],
      entries: [],
      activePattern: null,
    });
    const put = await h.request({ method: 'PUT', url, cookie, payload: schedule() });
    t.is(put.statusCode, 200, put.body);
    const stored = schedule();
    const night = {
      name: 'night',
      setting: pattern({ slots: ['0355556666', null, null, null, null] }),
    };
    // Patterns come back by name; slots normalized.
    const answer = {
      patterns: [night, stored.patterns[0]],
      entries: stored.entries,
      activePattern: null,
    };
    t.deepEqual(put.json(), answer);
    t.deepEqual((await h.request({ method: 'GET', url, cookie })).json(), answer);
    const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
    t.is(history.length, 1);
    t.like(history[0], { actor: 'user', feature: 'forwarding_schedule', action: 'create' });
    t.deepEqual(history[0]?.before, { patterns: [], entries: [] });
    t.deepEqual(notices, [N1]);
    // What the scheduler's pass reads.
    const scheduled = await listForwardingSchedules(h.db);
    t.is(scheduled.length, 1);
    t.like(scheduled[0], { number: N1, timeZone: 'Asia/Tokyo' });
    t.deepEqual(
      scheduled[0]?.entries.map((e) => [e.days.join(','), e.startTime]),
      [
        ['mon,tue,wed,thu,fri', '09:00'],
        ['mon,tue,wed,thu,fri', '18:00'],
        ['sat,sun', '00:00'],
      ],
    );
    // Unchanged: nothing written, nothing announced.
    await h.request({ method: 'PUT', url, cookie, payload: schedule() });
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 1);
    t.deepEqual(notices, [N1]);
    // Cleared.
    const cleared = await h.request({
      method: 'PUT',
      url,
      cookie,
      payload: { patterns: [], entries: [] },
    });
    t.deepEqual(cleared.json(), { patterns: [], entries: [], activePattern: null });
    t.deepEqual(await listForwardingSchedules(h.db), []);
    t.deepEqual(notices, [N1, N1]);
  },
);

const scheduleProblems: Array<[string, Record<string, unknown>, string, string | RegExp]> = [
  [
    'a pattern defined twice',
    {
      patterns: [
        { name: 'night', setting: pattern() },
        { name: 'night', setting: pattern() },
      ],
      entries: [],
    },
    'patterns.1.name',
    scheduleMessages.twice('night'),
  ],
  [
    'an entry naming no pattern',
    { entries: [{ days: ['mon'], startTime: '18:00', pattern: 'weekend' }] },
    'entries.0.pattern',
    scheduleMessages.unknown('weekend'),
  ],
  [
    'a start time of 24:00',
    { entries: [{ days: ['mon'], startTime: '24:00', pattern: 'night' }] },
    'entries.0.startTime',
    `entries.0.startTime: ${scheduleMessages.startTime} (invalid_format)`,
  ],
  [
    'an entry without a day',
    { entries: [{ days: [], startTime: '18:00', pattern: 'night' }] },
    'entries.0.days',
    `entries.0.days: ${scheduleMessages.noDay} (too_small)`,
  ],
  [
    'an unknown day',
    { entries: [{ days: ['mon', 'holiday'], startTime: '18:00', pattern: 'night' }] },
    'entries.0.days.1',
    /^entries\.0\.days\.1: .*\(invalid_value\)$/,
  ],
  [
    'an empty pattern name',
    { patterns: [{ name: '', setting: pattern() }], entries: [] },
    'patterns.0.name',
    `patterns.0.name: ${scheduleMessages.patternName} (too_small)`,
  ],
  [
    'a pattern forwarding to a short code',
    {
      patterns: [{ name: 'night', setting: pattern({ slots: ['110', null, null, null, null] }) }],
      entries: [],
    },
    'patterns.0.setting.slot1',
    settingMessages.slot(1, targetMessages.shortCode('110')),
  ],
  [
    'a pattern with a ring time of 31 s',
    {
      patterns: [{ name: 'night', setting: pattern({ ringTimeSeconds: 31 }) }],
      entries: [],
    },
    'patterns.0.setting.ringTimeSeconds',
    settingMessages.ringTime,
  ],
  [
    'a pattern forwarding to voicemail without the subscription',
    { patterns: [{ name: 'night', setting: pattern({ activeTarget: 'voicemail' }) }], entries: [] },
    'patterns.0.setting.activeTarget',
    settingMessages.voicemailNotSubscribed,
  ],
  [
    'a pattern forwarding to the number itself',
    {
      patterns: [{ name: 'night', setting: pattern({ slots: [N1, null, null, null, null] }) }],
      entries: [],
    },
    'patterns.0.setting.slot1',
    settingMessages.slot(1, targetMessages.self),
  ],
];

for (const [title, change, field, message] of scheduleProblems) {
  dialectTest(`schedule: PUT refuses ${title}, naming the field and the rule`, async (t, h) => {
    const cookie = await h.login('sa');
    const r = await h.request({
      method: 'PUT',
      url: `/numbers/${N1}/schedule`,
      cookie,
      payload: schedule(change),
    });
    t.is(r.statusCode, 400, r.body);
    const body = r.json<{ error: string; field: string; message: string }>();
    t.like(body, { error: 'validation', field });
    if (typeof message === 'string') t.is(body.message, message);
    else t.regex(body.message, message);
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 0);
  });
}
