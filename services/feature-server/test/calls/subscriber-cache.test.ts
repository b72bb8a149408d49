// The settings a call reads are cached, and a change notice makes the next call see the
// change (issue: "a change takes effect on the next call").
import test from 'ava';
import { findNumber, upsertForwardingSetting, type ForwardingSetting } from '@ipvoice/db';
import { systemClock } from '@ipvoice/sip';
import { SubscriberCache, settingsChangedChannel } from '../../src/calls/subscriber-cache.ts';
import { startTestServer } from '../helpers/in-process-server.ts';

const busyForwarding: ForwardingSetting = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 15,
  activeTarget: 'slot1',
  slots: ['09012345678', null, null, null, null],
};

test('a published change reaches the next lookup; without one the cached value stays', async (t) => {
  const ts = await startTestServer({
    tag: '71',
    subscribers: [{ number: '0371000001', username: 'c71a', password: 'pass-71a' }],
  });
  t.teardown(() => ts.dispose());
  const { subscribers, db, state } = ts.server;

  const before = await subscribers.get('0371000001');
  t.is(before?.forwarding, undefined);
  const facts = await findNumber(db, '0371000001');
  if (!facts) return t.fail('number not provisioned');
  await upsertForwardingSetting(db, facts.id, busyForwarding, new Date());

  // Cached: the database changed but nobody said so yet.
  t.is((await subscribers.get('0371000001'))?.forwarding, undefined);

  let notice!: () => void;
  const seen = new Promise<void>((resolve) => (notice = resolve));
  const unsubscribe = await state.subscribe(settingsChangedChannel, () => notice());
  t.teardown(() => unsubscribe());
  await state.publish(settingsChangedChannel, '0371000001');
  await seen;
  t.deepEqual((await subscribers.get('0371000001'))?.forwarding, busyForwarding);
});

test('a dial-in number carries its base number settings and is dropped with them', async (t) => {
  const ts = await startTestServer({
    tag: '72',
    subscribers: [{ number: '0372000001', username: 'c72a', password: 'pass-72a' }],
  });
  t.teardown(() => ts.dispose());
  const { subscribers, db } = ts.server;
  const base = await findNumber(db, '0372000001');
  if (!base) return t.fail('number not provisioned');
  const now = new Date().toISOString();
  await db
    .insertInto('numbers')
    .values({
      number: '0372000009',
      kind: 'dial_in',
      access_line_id: base.accessLineId,
      base_number_id: base.id,
      base_number_kind: 'base',
      created_at: now,
      updated_at: now,
    })
    .execute();

  const dialIn = await subscribers.get('0372000009');
  t.is(dialIn?.number.number, '0372000009');
  t.is(dialIn?.base.number, '0372000001');
  t.is(dialIn?.forwarding, undefined);

  await upsertForwardingSetting(db, base.id, busyForwarding, new Date());
  // The notice names the base number only; its dial-in must be dropped too.
  subscribers.invalidate(['0372000001']);
  t.deepEqual((await subscribers.get('0372000009'))?.forwarding, busyForwarding);
});

test('unknown numbers are not subscribers', async (t) => {
  const ts = await startTestServer({
    tag: '73',
    subscribers: [{ number: '0373000001', username: 'c73a', password: 'pass-73a' }],
  });
  t.teardown(() => ts.dispose());
  t.is(await ts.server.subscribers.get('0373999999'), undefined);
});

test('calls to one number arriving together share one read; a change meanwhile starts a new one', async (t) => {
  const ts = await startTestServer({
    tag: '74',
    subscribers: [{ number: '0374000001', username: 'c74a', password: 'pass-74a' }],
  });
  t.teardown(() => ts.dispose());
  let queries = 0;
  const counted = ts.server.db.withPlugin({
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });

  const one = new SubscriberCache(counted, systemClock);
  await one.get('0374000001');
  const perLoad = queries;
  t.true(perLoad > 0);

  queries = 0;
  const many = new SubscriberCache(counted, systemClock);
  const results = await Promise.all(Array.from({ length: 20 }, () => many.get('0374000001')));
  t.is(queries, perLoad, 'twenty concurrent lookups read the number once');
  t.true(results.every((r) => r?.number.number === '0374000001'));

  queries = 0;
  const racing = new SubscriberCache(counted, systemClock);
  const first = racing.get('0374000001');
  racing.invalidate(['0374000001']);
  const second = racing.get('0374000001');
  await Promise.all([first, second]);
  t.is(queries, 2 * perLoad, 'a lookup after the change does not reuse the read begun before it');
});
