import test from 'ava';
import {
  createStateStore,
  huntPositionTtlMs,
  MemoryBackend,
  MemoryStateStore,
  type StateStore,
} from '../src/index.ts';
import { FakeClock } from '../../sip/src/core/clock.ts';
import { makeBinding, stateStoreSuite } from './helpers/state-store-suite.ts';

stateStoreSuite('memory', async () => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const opened: StateStore[] = [];
  return {
    clock,
    open() {
      const s = new MemoryStateStore({ clock, backend });
      opened.push(s);
      return s;
    },
    async lapse(ms) {
      clock.advance(ms);
    },
    async isLocked(name) {
      return backend.locks.has(name);
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
});

test('memory: expired bindings are swept out of memory on a timer', async (t) => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const s = new MemoryStateStore({ clock, backend, sweepIntervalMs: 60_000 });
  await s.registrations.put(makeBinding(clock, { expiresAt: clock.now() + 1000 }));
  t.is(backend.bindings.size, 1);
  clock.advance(59_999);
  t.is(backend.bindings.size, 1);
  clock.advance(1);
  t.is(backend.bindings.size, 0);
  await s.close();
});

test('memory: lapsed channel holds are swept out of memory on a timer', async (t) => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const s = new MemoryStateStore({ clock, backend, sweepIntervalMs: 60_000 });
  t.true(await s.channels.acquire('N123456789', 'call-1', 1, 1000));
  t.is(backend.channelHolds.size, 1);
  clock.advance(59_999);
  t.is(backend.channelHolds.size, 1);
  clock.advance(1);
  t.is(backend.channelHolds.size, 0);
  await s.close();
});

test('memory: a hunt position lapses 30 days after its last claim or settle', async (t) => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const s = new MemoryStateStore({ clock, backend, sweepIntervalMs: 60_000 });
  t.teardown(() => s.close());
  t.is(huntPositionTtlMs, 30 * 24 * 3600_000);
  t.is(await s.hunt.claim('hg-1', 3), 0);
  clock.advance(huntPositionTtlMs - 1);
  t.is(await s.hunt.claim('hg-1', 3), 1, 'a claim refreshes it');
  clock.advance(huntPositionTtlMs - 1);
  t.true(await s.hunt.settle('hg-1', 1, 2), 'so does a settle');
  clock.advance(huntPositionTtlMs - 1);
  t.is(await s.hunt.claim('hg-1', 3), 0, 'after 2, round to 0');
  clock.advance(huntPositionTtlMs);
  t.false(await s.hunt.settle('hg-1', 0, 1), 'lapsed');
  t.is(await s.hunt.claim('hg-1', 3), 0, 'an idle group starts over');
  clock.advance(huntPositionTtlMs - 1);
  t.is(backend.huntPositions.size, 1);
  clock.advance(60_000);
  t.is(backend.huntPositions.size, 0, 'swept out of memory within a sweep interval');
});

test('memory: close cancels its timers and subscriptions', async (t) => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const s = new MemoryStateStore({ clock, backend });
  await s.subscribe('ch', () => {});
  t.is(clock.pending, 1);
  await s.close();
  t.is(clock.pending, 0);
  t.is(backend.channels.size, 0);
});

test('memory: a throwing handler is reported and does not stop the others', async (t) => {
  const errors: unknown[] = [];
  const s = new MemoryStateStore({ clock: new FakeClock(), onError: (e) => errors.push(e) });
  let delivered!: () => void;
  const got = new Promise<void>((r) => (delivered = r));
  await s.subscribe('ch', () => {
    throw new Error('handler failed');
  });
  await s.subscribe('ch', () => delivered());
  await s.publish('ch', 'm');
  await got;
  t.is((errors[0] as Error).message, 'handler failed');
  await s.close();
});

test('memory: createStateStore makes an in-process store that uses the given clock', async (t) => {
  const clock = new FakeClock();
  const s = createStateStore({ driver: 'memory', clock });
  t.true(s instanceof MemoryStateStore);
  await s.registrations.put(makeBinding(clock, { expiresAt: clock.now() + 10 }));
  t.is(await s.registrations.countAors(), 1);
  clock.advance(10);
  t.is(await s.registrations.countAors(), 0);
  await s.close();
});

test('createStateStore refuses the redis driver without a URL', (t) => {
  t.throws(() => createStateStore({ driver: 'redis' }), { message: /needs redisUrl/ });
});

test('memory: stores sharing a backend share the connection index', async (t) => {
  const clock = new FakeClock();
  const backend = new MemoryBackend();
  const a = new MemoryStateStore({ clock, backend });
  const b = new MemoryStateStore({ clock, backend });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const tcp = (connectionId: string) => ({
    protocol: 'tcp',
    remoteAddress: '198.51.100.9',
    remotePort: 50000,
    localAddress: '192.0.2.1',
    localPort: 5060,
    connectionId,
  });
  const binding = makeBinding(clock, { aor: 'sip:carol@ipvoice.local', flow: tcp('c1') });
  await a.registrations.put(binding);
  const gone = await b.registrations.removeByConnection('fs-1', 'c1');
  t.deepEqual(
    gone.map((x) => x.bindingId),
    [binding.bindingId],
  );
  t.deepEqual(await a.registrations.list('sip:carol@ipvoice.local'), []);
});

test('memory: an expired binding pruned away is not returned by removeByConnection', async (t) => {
  const clock = new FakeClock();
  const s = new MemoryStateStore({ clock, backend: new MemoryBackend() });
  t.teardown(() => s.close());
  const flow = {
    protocol: 'tcp',
    remoteAddress: '198.51.100.9',
    remotePort: 50001,
    localAddress: '192.0.2.1',
    localPort: 5060,
    connectionId: 'c2',
  };
  await s.registrations.put(
    makeBinding(clock, { aor: 'sip:dave@x', flow, expiresAt: clock.now() + 1000 }),
  );
  clock.advance(2000);
  // A write to the AOR prunes the expired binding (and must take it out of the index too).
  await s.registrations.put(makeBinding(clock, { aor: 'sip:dave@x' }));
  t.deepEqual(await s.registrations.removeByConnection('fs-1', 'c2'), []);
  t.is((await s.registrations.list('sip:dave@x')).length, 1);
});
