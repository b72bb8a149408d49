// SPEC §3.11 voicemail and §3.12 incoming-call notice through the API: settings with their
// messages, the PIN never shown nor mailed, confirmation mail once per change, greetings in
// the feature server's store, messages for the box's user only, test mail, notices.
import { access } from 'node:fs/promises';
import { findVoicemailBox, findVoicemailMessage, listMails, listSettingHistory } from '@ipvoice/db';
import { pinMessages } from '@ipvoice/features';
import { PROMPT_SAMPLE_RATE, readWav } from '@ipvoice/media';
import { settingsChangedChannel } from '@ipvoice/state';
import type { ExecutionContext } from 'ava';
import { messageWaitingChannel } from '@ipvoice/state';
import { eachDialect, type Harness } from './helpers/harness.ts';
import {
  depositMessage,
  storeOf,
  subscribe,
  toneWav,
  validNotice,
  validVoicemail,
} from './matrix/voicemail.ts';

const dialectTest = eachDialect();
const N1 = '0312345678';
const vm = `/numbers/${N1}/voicemail`;
const notice = `/numbers/${N1}/incoming-call-notice`;

/** Collects what is published on a channel. */
async function listen(h: Harness, channel: string): Promise<string[]> {
  const seen: string[] = [];
  await h.state.subscribe(channel, (m) => seen.push(m));
  return seen;
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function ready(h: Harness) {
  await subscribe(h, N1);
  return h.login('ga');
}

async function expectInvalid(
  t: ExecutionContext,
  h: Harness,
  cookie: string,
  url: string,
  payload: unknown,
  field: string,
  message: string,
) {
  const r = await h.request({ method: 'PUT', url, cookie, payload: payload as object });
  t.is(r.statusCode, 400, r.body);
  const body = r.json<{ error: string; field: string; message: string }>();
  t.is(body.error, 'validation');
  t.is(body.field, field, body.message);
  t.true(body.message.includes(message), `${body.message} should say: ${message}`);
}

dialectTest('voicemail needs its subscription (409 not_subscribed)', async (t, h) => {
  const cookie = await h.login('ga');
  for (const [method, url] of [
    ['GET', vm],
    ['PUT', vm],
    ['GET', notice],
  ] as const) {
    const r = await h.request({
      method,
      url,
      cookie,
      ...(method === 'PUT' ? { payload: validVoicemail } : {}),
    });
    t.is(r.statusCode, 409, `${method} ${url}: ${r.body}`);
    t.is(r.json<{ error: string }>().error, 'not_subscribed');
  }
});

dialectTest(
  'PUT voicemail: stored, PIN never shown nor mailed, one confirmation per change',
  async (t, h) => {
    const cookie = await ready(h);
    const notices = await listen(h, settingsChangedChannel);
    const before = await h.request({ method: 'GET', url: vm, cookie });
    t.is(before.statusCode, 200);
    t.like(before.json(), { guidance: 'record', maxMessages: 20, pinSet: false });

    const put = await h.request({ method: 'PUT', url: vm, cookie, payload: validVoicemail });
    t.is(put.statusCode, 200, put.body);
    t.false(put.body.includes('2580'));
    t.like(put.json(), { pinSet: true, notification: { addresses: ['box@example.com'] } });
    const got = await h.request({ method: 'GET', url: vm, cookie });
    t.false(got.body.includes('2580'));
    t.false('pin' in got.json<object>());
    t.like(got.json(), { pinSet: true, guidance: 'record', customGreetingStored: false });

    const mails = await listMails(h.db, { kind: 'settings_confirmation' });
    t.is(mails.length, 1);
    t.deepEqual(mails[0]?.recipients, ['box@example.com']);
    t.false(mails[0]?.text_body.includes('2580'));
    t.true(mails[0]?.text_body.includes('PIN: set'));

    // Unchanged: no mail, no notice. Without `pin` the PIN set stays.
    const { pin: _pin, ...withoutPin } = validVoicemail;
    const again = await h.request({ method: 'PUT', url: vm, cookie, payload: withoutPin });
    t.is(again.statusCode, 200, again.body);
    t.like(again.json(), { pinSet: true });
    t.is((await listMails(h.db, { kind: 'settings_confirmation' })).length, 1);

    const changed = await h.request({
      method: 'PUT',
      url: vm,
      cookie,
      payload: { ...withoutPin, maxMessages: 30 },
    });
    t.is(changed.statusCode, 200, changed.body);
    t.is((await listMails(h.db, { kind: 'settings_confirmation' })).length, 2);
    await settle();
    t.deepEqual(notices, [N1, N1]);

    const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
    t.is(history.filter((e) => e.feature === 'voicemail').length, 2);
    t.false(JSON.stringify(history).includes('2580'), 'the PIN never reaches the history');
    const shown = await h.request({ method: 'GET', url: `/numbers/${N1}/history`, cookie });
    t.is(shown.statusCode, 200, shown.body);
    t.false(shown.body.includes('2580'));

    // null clears the PIN.
    const cleared = await h.request({
      method: 'PUT',
      url: vm,
      cookie,
      payload: { ...withoutPin, maxMessages: 30, pin: null },
    });
    t.like(cleared.json(), { pinSet: false });
  },
);

dialectTest('PUT voicemail: each rule answers its message with its field', async (t, h) => {
  const cookie = await ready(h);
  const cases: Array<[string, object, string, string]> = [
    ['run', { pin: '6789' }, 'pin', pinMessages.run],
    ['descending run', { pin: '13210' }, 'pin', pinMessages.run],
    ['repeated', { pin: '5555' }, 'pin', pinMessages.repeated],
    ['short', { pin: '123' }, 'pin', pinMessages.length],
    ['letters', { pin: '12a4' }, 'pin', pinMessages.digitsOnly],
    [
      'four addresses',
      {
        notification: {
          addresses: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'],
          condition: 'on_call',
          attachAudio: false,
        },
      },
      'notification.addresses',
      'at most 3 addresses',
    ],
    [
      'not an address',
      { notification: { addresses: ['nope'], condition: 'on_call', attachAudio: false } },
      'notification.addresses.0',
      'email',
    ],
    [
      'condition',
      { notification: { addresses: [], condition: 'sometimes' } },
      'notification.condition',
      '',
    ],
    ['guidance', { guidance: 'sing' }, 'guidance', ''],
    ['max messages', { maxMessages: 0 }, 'maxMessages', ''],
    ['unknown member', { colour: 'blue' }, 'body', ''],
  ];
  for (const [name, change, field, message] of cases) {
    await t.notThrowsAsync(
      expectInvalid(t, h, cookie, vm, { ...validVoicemail, ...change }, field, message),
      name,
    );
  }
  t.is((await listMails(h.db)).length, 0);
});

dialectTest('greeting: an 8 kHz WAV is stored where the feature server reads it', async (t, h) => {
  const cookie = await ready(h);
  const notices = await listen(h, settingsChangedChannel);
  const wav = toneWav(2);
  const headers = { 'content-type': 'audio/wav' };
  const r = await h.request({
    method: 'PUT',
    url: `${vm}/greeting`,
    cookie,
    headers,
    payload: wav,
  });
  t.is(r.statusCode, 200, r.body);
  t.like(r.json(), { customGreetingStored: true, durationSeconds: 2 });
  const box = await findVoicemailBox(h.db, h.tenant.n1.id);
  t.truthy(box.greetingFile);
  t.true(box.greetingFile?.startsWith(`${N1}/greeting-`));
  const stored = await storeOf(h).read(box.greetingFile ?? '');
  t.deepEqual(stored, readWav(wav).samples);

  // A second upload replaces the first file.
  const second = await h.request({
    method: 'PUT',
    url: `${vm}/greeting`,
    cookie,
    headers,
    payload: toneWav(1),
  });
  t.is(second.statusCode, 200, second.body);
  const replaced = await findVoicemailBox(h.db, h.tenant.n1.id);
  if (replaced.greetingFile !== box.greetingFile)
    await t.throwsAsync(access(storeOf(h).path(box.greetingFile ?? '')));

  const refused: Array<[Buffer, string]> = [
    [toneWav(1, 16_000), 'WAV is 16000 Hz, expected 8000 Hz'],
    [Buffer.from('not audio at all'), 'not a WAV file: no RIFF header'],
    [toneWav(61), 'at most 60 s'],
  ];
  for (const [payload, message] of refused) {
    const bad = await h.request({ method: 'PUT', url: `${vm}/greeting`, cookie, headers, payload });
    t.is(bad.statusCode, 400, bad.body);
    t.like(bad.json(), { error: 'validation', field: 'body' });
    t.true(bad.json<{ message: string }>().message.includes(message), bad.body);
  }

  const removed = await h.request({ method: 'DELETE', url: `${vm}/greeting`, cookie });
  t.is(removed.statusCode, 204, removed.body);
  t.is((await findVoicemailBox(h.db, h.tenant.n1.id)).greetingFile, null);
  await t.throwsAsync(access(storeOf(h).path(replaced.greetingFile ?? '')));

  const history = (await listSettingHistory(h.db, { numberId: h.tenant.n1.id })).filter(
    (e) => e.feature === 'voicemail_greeting',
  );
  t.deepEqual(
    history.map((e) => e.action),
    ['delete', 'update', 'update'],
  );
  await settle();
  t.deepEqual(notices, [N1, N1, N1]);
});

dialectTest('messages: the user lists, hears and deletes; admins may not', async (t, h) => {
  await subscribe(h, N1);
  const first = await depositMessage(h, N1);
  const second = await depositMessage(h, N1, { caller: null });
  const waiting = await listen(h, messageWaitingChannel);
  const user = await h.login('user');

  const list = await h.request({ method: 'GET', url: `${vm}/messages`, cookie: user });
  t.is(list.statusCode, 200, list.body);
  t.deepEqual(
    list.json<{ messages: unknown[] }>().messages.map((m) => m),
    [
      {
        id: first,
        receivedAt: (
          await findVoicemailMessage(h.db, h.tenant.n1.id, first)
        )?.receivedAt.toISOString(),
        caller: '0355556666',
        callerAnonymity: null,
        durationSeconds: 2,
        status: 'new',
      },
      {
        id: second,
        receivedAt: (
          await findVoicemailMessage(h.db, h.tenant.n1.id, second)
        )?.receivedAt.toISOString(),
        caller: null,
        callerAnonymity: 'withheld',
        durationSeconds: 2,
        status: 'new',
      },
    ],
  );

  const audio = await h.request({
    method: 'GET',
    url: `${vm}/messages/${first}/audio`,
    cookie: user,
  });
  t.is(audio.statusCode, 200, audio.body);
  t.is(audio.headers['content-type'], 'audio/wav');
  const wav = readWav(audio.rawPayload, { sampleRate: PROMPT_SAMPLE_RATE });
  t.is(wav.samples.length, PROMPT_SAMPLE_RATE * 2);
  t.is((await findVoicemailMessage(h.db, h.tenant.n1.id, first))?.status, 'saved');

  const file = (await findVoicemailMessage(h.db, h.tenant.n1.id, second))?.audioFile ?? '';
  const deleted = await h.request({
    method: 'DELETE',
    url: `${vm}/messages/${second}`,
    cookie: user,
  });
  t.is(deleted.statusCode, 204, deleted.body);
  t.is(await findVoicemailMessage(h.db, h.tenant.n1.id, second), undefined);
  await t.throwsAsync(access(storeOf(h).path(file)));
  const gone = await h.request({ method: 'DELETE', url: `${vm}/messages/${second}`, cookie: user });
  t.is(gone.statusCode, 404);
  await settle();
  t.deepEqual(waiting, [N1, N1]);

  for (const admin of ['ga', 'sa']) {
    const cookie = await h.login(admin);
    for (const [method, url] of [
      ['GET', `${vm}/messages`],
      ['GET', `${vm}/messages/${first}/audio`],
      ['DELETE', `${vm}/messages/${first}`],
    ] as const) {
      const r = await h.request({ method, url, cookie });
      t.is(r.statusCode, 403, `${admin} ${method} ${url}: ${r.body}`);
    }
  }
  t.truthy(await findVoicemailMessage(h.db, h.tenant.n1.id, first));
});

dialectTest(
  'incoming-call notice: stored as provisioning stores it, with its rules',
  async (t, h) => {
    const cookie = await ready(h);
    const notices = await listen(h, settingsChangedChannel);
    const off = await h.request({ method: 'GET', url: notice, cookie });
    t.deepEqual(off.json(), { enabled: false, addresses: [], callers: 'all', calls: 'all' });

    const put = await h.request({
      method: 'PUT',
      url: notice,
      cookie,
      payload: { ...validNotice, callers: { list: ['03-5555-6666'] } },
    });
    t.is(put.statusCode, 200, put.body);
    t.deepEqual(put.json(), validNotice);
    t.deepEqual((await h.request({ method: 'GET', url: notice, cookie })).json(), validNotice);
    await settle();
    t.deepEqual(notices, [N1]);

    const address = (i: number) => ({ address: `a${i}@example.com`, send: true });
    const cases: Array<[object, string, string]> = [
      [{ addresses: [1, 2, 3, 4, 5, 6].map(address) }, 'addresses', 'at most 5 addresses'],
      [{ addresses: [{ address: 'x', send: true }] }, 'addresses.0.address', 'email'],
      [{ calls: 'some' }, 'calls', ''],
      [
        { callers: { list: Array.from({ length: 31 }, (_, i) => `03555566${10 + i}`) } },
        // The union's list branch is what was meant: its own rule is told.
        'callers.list',
        'at most 30 numbers',
      ],
      [{ callers: { list: ['12345'] } }, 'callers.list.0', 'a national number: 0 then 9–10 digits'],
    ];
    for (const [change, field, message] of cases)
      await expectInvalid(t, h, cookie, notice, { ...validNotice, ...change }, field, message);
  },
);

dialectTest('incoming-call notice: test mail to one address or each', async (t, h) => {
  const cookie = await ready(h);
  const url = `${notice}/test-mail`;
  const none = await h.request({ method: 'POST', url, cookie, payload: {} });
  t.is(none.statusCode, 409, none.body);
  const two = {
    ...validNotice,
    addresses: [
      { address: 'a@example.com', send: true },
      { address: 'b@example.com', send: false },
    ],
  };
  t.is((await h.request({ method: 'PUT', url: notice, cookie, payload: two })).statusCode, 200);
  const one = await h.request({
    method: 'POST',
    url,
    cookie,
    payload: { address: 'b@example.com' },
  });
  t.is(one.statusCode, 200, one.body);
  t.deepEqual(one.json(), { queued: ['b@example.com'] });
  const each = await h.request({ method: 'POST', url, cookie, payload: {} });
  t.deepEqual(each.json(), { queued: ['a@example.com', 'b@example.com'] });
  const mails = await listMails(h.db, { kind: 'test' });
  t.deepEqual(
    mails.map((m) => m.recipients),
    [['b@example.com'], ['a@example.com'], ['b@example.com']],
  );
  const stranger = await h.request({
    method: 'POST',
    url,
    cookie,
    payload: { address: 'c@example.com' },
  });
  t.is(stranger.statusCode, 400, stranger.body);
  t.like(stranger.json(), { error: 'validation', field: 'address' });
});

dialectTest('the OpenAPI document describes the voicemail routes', async (t, h) => {
  const r = await h.request({ method: 'GET', url: '/docs/json' });
  t.is(r.statusCode, 200, r.body);
  const paths = Object.keys(r.json<{ paths: object }>().paths);
  t.true(paths.includes('/numbers/{number}/voicemail'));
  t.true(paths.includes('/numbers/{number}/incoming-call-notice'));
});
