import { listSettingHistory, replaceSubscriptions } from '@ipvoice/db';
import { settingMessages, targetMessages } from '@ipvoice/features';
import { settingsChangedChannel } from '@ipvoice/state';
import { eachDialect } from './helpers/harness.ts';

const dialectTest = eachDialect();
const N1 = '0312345678';

const setting = (extra: Record<string, unknown> = {}) => ({
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 15,
  activeTarget: 'slot2',
  slots: [null, '03-5555-6666', null, null, null],
  ...extra,
});

dialectTest(
  'PUT stores the setting, writes its history row and announces the number',
  async (t, h) => {
    const cookie = await h.login('user');
    const notices: string[] = [];
    await h.state.subscribe(settingsChangedChannel, (m) => {
      notices.push(m);
    });
    const before = await h.request({ method: 'GET', url: `/numbers/${N1}/forwarding`, cookie });
    t.like(before.json(), { enabled: false, ringTimeSeconds: 20 });
    const put = await h.request({
      method: 'PUT',
      url: `/numbers/${N1}/forwarding`,
      cookie,
      payload: setting(),
    });
    t.is(put.statusCode, 200, put.body);
    const stored = setting({ slots: [null, '0355556666', null, null, null] });
    t.deepEqual(put.json(), stored);
    t.deepEqual(
      (await h.request({ method: 'GET', url: `/numbers/${N1}/forwarding`, cookie })).json(),
      stored,
    );
    const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
    t.is(history.length, 1);
    t.like(history[0], {
      actor: 'user',
      feature: 'forwarding',
      action: 'update',
      before: null,
      after: stored,
      siteId: h.tenant.s1.id,
      voiceGroupId: h.tenant.vg1.id,
    });
    t.deepEqual(notices, [N1]);
    // The same setting again changes nothing: no history, no notice.
    await h.request({
      method: 'PUT',
      url: `/numbers/${N1}/forwarding`,
      cookie,
      payload: setting(),
    });
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 1);
    t.deepEqual(notices, [N1]);
    // History through the API, within a period.
    const all = await h.request({ method: 'GET', url: `/numbers/${N1}/history`, cookie });
    t.is(all.json<{ entries: unknown[] }>().entries.length, 1);
    const later = new Date(h.clock.now() + 60_000).toISOString();
    const none = await h.request({
      method: 'GET',
      url: `/numbers/${N1}/history?from=${encodeURIComponent(later)}`,
      cookie,
    });
    t.deepEqual(none.json(), { entries: [] });
  },
);

const problems: Array<[string, Record<string, unknown>, string, string]> = [
  [
    'unconditional with conditions',
    { unconditional: true },
    'unconditional',
    settingMessages.unconditionalExclusive,
  ],
  [
    'on without a condition',
    { onBusy: false, onNoAnswer: false },
    'enabled',
    settingMessages.noCondition,
  ],
  ['ring time below 5', { ringTimeSeconds: 4 }, 'ringTimeSeconds', settingMessages.ringTime],
  ['ring time above 30', { ringTimeSeconds: 31 }, 'ringTimeSeconds', settingMessages.ringTime],
  ['ring time not whole', { ringTimeSeconds: 10.5 }, 'ringTimeSeconds', settingMessages.ringTime],
  ['an empty active slot', { activeTarget: 'slot1' }, 'activeTarget', settingMessages.emptySlot(1)],
  ['no target', { activeTarget: null }, 'activeTarget', settingMessages.noTarget],
  [
    'voicemail without the subscription',
    { activeTarget: 'voicemail' },
    'activeTarget',
    settingMessages.voicemailNotSubscribed,
  ],
  [
    'a 110 short code',
    { slots: [null, '110', null, null, null] },
    'slot2',
    settingMessages.slot(2, targetMessages.shortCode('110')),
  ],
  [
    'a target starting with #',
    { slots: [null, '#31#0355556666', null, null, null] },
    'slot2',
    settingMessages.slot(2, targetMessages.hash),
  ],
  [
    'the number itself',
    { slots: [null, N1, null, null, null] },
    'slot2',
    settingMessages.slot(2, targetMessages.self),
  ],
];

for (const [title, change, field, message] of problems) {
  dialectTest(`PUT refuses ${title} with the decision core's message`, async (t, h) => {
    const cookie = await h.login('sa');
    const r = await h.request({
      method: 'PUT',
      url: `/numbers/${N1}/forwarding`,
      cookie,
      payload: setting(change),
    });
    t.is(r.statusCode, 400);
    t.like(r.json(), { error: 'validation', field, message });
    t.is((await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).length, 0);
  });
}

dialectTest('bulk forwarding subscribed: slot 5 must be set', async (t, h) => {
  await replaceSubscriptions(
    h.db,
    {
      accessLineId: (await h.db.selectFrom('access_lines').select('id').executeTakeFirstOrThrow())
        .id,
    },
    [{ feature: 'bulk_forwarding' }],
    new Date(h.clock.now()),
  );
  const cookie = await h.login('ga');
  const r = await h.request({
    method: 'PUT',
    url: `/numbers/${N1}/forwarding`,
    cookie,
    payload: setting(),
  });
  t.like(r.json(), { error: 'validation', field: 'slot5', message: settingMessages.bulkSlot5 });
});

dialectTest('a body of the wrong shape names the field path and the rule', async (t, h) => {
  const cookie = await h.login('ga');
  const r = await h.request({
    method: 'PUT',
    url: `/numbers/${N1}/forwarding`,
    cookie,
    payload: setting({ slots: [null, 3, null, null, null] }),
  });
  t.is(r.statusCode, 400);
  t.like(r.json(), { error: 'validation', field: 'slots.1' });
  t.regex(r.json<{ message: string }>().message, /^slots\.1: .*\(invalid_type\)$/);
  const missing = await h.request({
    method: 'PUT',
    url: `/numbers/${N1}/forwarding`,
    cookie,
    payload: { enabled: true },
  });
  t.like(missing.json(), { error: 'validation', field: 'unconditional' });
});
