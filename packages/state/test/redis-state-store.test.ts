import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  createStateStore,
  huntPositionTtlMs,
  RedisStateStore,
  systemClock,
  type Clock,
  type StateStore,
} from '../src/index.ts';
import { FakeClock } from '../../sip/src/core/clock.ts';
import { makeBinding, stateStoreSuite } from './helpers/state-store-suite.ts';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = new Redis(url);
test.after.always(() => admin.quit());

/** A random key prefix per test keeps tests (and parallel runs) apart. */
function isolated(clock: Clock) {
  const keyPrefix = `test:${randomUUID()}:`;
  const opened: StateStore[] = [];
  return {
    keyPrefix,
    open() {
      const s = new RedisStateStore({ url, clock, keyPrefix });
      opened.push(s);
      return s;
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    },
  };
}

// The fake clock starts at real time so Redis key TTLs (real time) stay ahead of it.
stateStoreSuite('redis', async () => {
  const clock = new FakeClock(Date.now());
  const iso = isolated(clock);
  return {
    clock,
    open: iso.open,
    // Lock TTLs are kept by Redis in real time; the test then waits for the lock to change hands.
    lapse: async () => {},
    isLocked: async (name) => (await admin.exists(`${iso.keyPrefix}lock:${name}`)) === 1,
    cleanup: iso.cleanup,
  };
});

test('redis: registrations survive closing and reopening the store', async (t) => {
  const clock = new FakeClock(Date.now());
  const iso = isolated(clock);
  try {
    const before = iso.open();
    const binding = makeBinding(clock, {
      flow: {
        protocol: 'tcp',
        remoteAddress: '198.51.100.9',
        remotePort: 5,
        localAddress: '192.0.2.1',
        localPort: 5060,
        connectionId: 'c1',
      },
    });
    await before.registrations.put(binding);
    await before.close();
    const after = iso.open();
    t.deepEqual(await after.registrations.list(binding.aor), [binding]);
    t.is(await after.registrations.countAors(), 1);
    t.deepEqual(await after.registrations.removeByConnection('fs-1', 'c1'), [binding]);
  } finally {
    await iso.cleanup();
  }
});

test('redis: the AOR key lives until its latest binding expires', async (t) => {
  const iso = isolated(systemClock);
  try {
    const s = iso.open();
    const now = Date.now();
    const early = makeBinding(systemClock, { expiresAt: now + 60_000 });
    const late = makeBinding(systemClock, { expiresAt: now + 120_000 });
    await s.registrations.put(early);
    await s.registrations.put(late);
    const key = `${iso.keyPrefix}reg:aor:${early.aor}`;
    const expireTime = async () => Number(await admin.pexpiretime(key));
    t.is(await expireTime(), late.expiresAt);
    await s.registrations.remove(late.aor, late.bindingId);
    t.is(await expireTime(), early.expiresAt);
    await s.registrations.remove(early.aor, early.bindingId);
    t.is(await admin.exists(key), 0);
  } finally {
    await iso.cleanup();
  }
});

test('redis: expired bindings are pruned from the hash on the next write', async (t) => {
  const clock = new FakeClock(Date.now());
  const iso = isolated(clock);
  try {
    const s = iso.open();
    const old = makeBinding(clock, { expiresAt: clock.now() + 60_000 });
    await s.registrations.put(old);
    clock.advance(60_000);
    const fresh = makeBinding(clock);
    await s.registrations.put(fresh);
    t.deepEqual(await admin.hkeys(`${iso.keyPrefix}reg:aor:${old.aor}`), [fresh.bindingId]);
  } finally {
    await iso.cleanup();
  }
});

test('redis: the connection index expires with the latest binding on it', async (t) => {
  const iso = isolated(systemClock);
  try {
    const s = iso.open();
    const flow = {
      protocol: 'tls',
      remoteAddress: '198.51.100.9',
      remotePort: 5,
      localAddress: '192.0.2.1',
      localPort: 5061,
      connectionId: 'c9',
    };
    const late = makeBinding(systemClock, { flow, expiresAt: Date.now() + 120_000 });
    const early = makeBinding(systemClock, {
      aor: 'sip:bob@ipvoice.local',
      flow,
      expiresAt: Date.now() + 60_000,
    });
    await s.registrations.put(late);
    await s.registrations.put(early);
    const [key] = await admin.keys(`${iso.keyPrefix}reg:conn:*`);
    t.truthy(key);
    t.is(Number(await admin.pexpiretime(key as string)), late.expiresAt);
  } finally {
    await iso.cleanup();
  }
});

test('redis: a line key lives until its latest hold lapses, under the prefix', async (t) => {
  const iso = isolated(systemClock);
  try {
    const s = iso.open();
    const key = `${iso.keyPrefix}chan:N123456789`;
    const before = Date.now();
    t.true(await s.channels.acquire('N123456789', 'late', 5, 120_000));
    t.true(await s.channels.acquire('N123456789', 'early', 5, 60_000));
    const expireTime = Number(await admin.pexpiretime(key));
    t.true(expireTime >= before + 120_000 && expireTime <= Date.now() + 120_000);
    await s.channels.release('N123456789', 'late');
    await s.channels.release('N123456789', 'early');
    t.is(await admin.exists(key), 0);
  } finally {
    await iso.cleanup();
  }
});

test('redis: a hunt group key lives 30 days past its last claim or settle, under the prefix', async (t) => {
  const clock = new FakeClock(Date.now());
  const iso = isolated(clock);
  try {
    const s = iso.open();
    const key = `${iso.keyPrefix}hunt:hg-1`;
    const expireTime = async () => Number(await admin.pexpiretime(key));
    t.is(await s.hunt.claim('hg-1', 3), 0);
    t.is(await admin.get(key), '0');
    t.is(await expireTime(), clock.now() + huntPositionTtlMs);
    clock.advance(60_000);
    t.is(await s.hunt.claim('hg-1', 3), 1);
    t.is(await expireTime(), clock.now() + huntPositionTtlMs);
    clock.advance(60_000);
    t.true(await s.hunt.settle('hg-1', 1, 2));
    t.is(await admin.get(key), '2');
    t.is(await expireTime(), clock.now() + huntPositionTtlMs);
  } finally {
    await iso.cleanup();
  }
});

test('redis: every key and channel carries the prefix', async (t) => {
  const clock = new FakeClock(Date.now());
  const iso = isolated(clock);
  const raw = new Redis(url);
  try {
    const s = iso.open();
    await s.registrations.put(
      makeBinding(clock, {
        flow: {
          protocol: 'ws',
          remoteAddress: 'a',
          remotePort: 1,
          localAddress: 'b',
          localPort: 2,
          connectionId: 'w1',
        },
      }),
    );
    await s.withLock('held', 10_000, async () => {
      t.is((await admin.keys(`${iso.keyPrefix}*`)).length, 4);
    });
    const got = new Promise<string>((resolve) =>
      raw.on('message', (channel: string) => resolve(channel)),
    );
    await raw.subscribe(`${iso.keyPrefix}news`);
    await s.publish('news', 'x');
    t.is(await got, `${iso.keyPrefix}news`);
  } finally {
    raw.disconnect();
    await iso.cleanup();
  }
});

test('redis: createStateStore connects with the given URL and prefix', async (t) => {
  const keyPrefix = `test:${randomUUID()}:`;
  const s = createStateStore({ driver: 'redis', redisUrl: url, keyPrefix });
  try {
    t.true(s instanceof RedisStateStore);
    const binding = makeBinding(systemClock);
    await s.registrations.put(binding);
    t.is(await admin.hlen(`${keyPrefix}reg:aor:${binding.aor}`), 1);
  } finally {
    await s.close();
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
});
