// One behavioural suite run against every StateStore implementation.
import test from 'ava';
import type { Binding, StateStore } from '../../src/index.ts';
// Test-only: proves the sip package's FakeClock drives the store (src/ never imports sip).
import { FakeClock } from '../../../sip/src/core/clock.ts';

export interface Backend {
  clock: FakeClock;
  /** A store on this backend; several stores share it like feature servers share Redis. */
  open(): StateStore;
  /** Lets `ms` pass for lock TTLs: the fake clock for memory, real time for Redis. */
  lapse(ms: number): Promise<void>;
  isLocked(name: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

let seq = 0;
export function makeBinding(clock: { now(): number }, over: Partial<Binding> = {}): Binding {
  const n = ++seq;
  return {
    aor: 'sip:alice@ipvoice.local',
    bindingId: `b${n}`,
    contact: `<sip:alice@192.0.2.${n % 250}:5060;transport=udp>`,
    expiresAt: clock.now() + 3600_000,
    q: 0.5,
    callId: `call-${n}`,
    cseq: n,
    path: ['<sip:edge.example.net;lr>'],
    flow: {
      protocol: 'udp',
      remoteAddress: '198.51.100.1',
      remotePort: 40000 + n,
      localAddress: '192.0.2.1',
      localPort: 5060,
    },
    serverId: 'fs-1',
    registeredAt: clock.now(),
    ...over,
  };
}

const tcp = (connectionId: string) => ({
  protocol: 'tcp',
  remoteAddress: '198.51.100.9',
  remotePort: 51000,
  localAddress: '192.0.2.1',
  localPort: 5060,
  connectionId,
});

const byId = (list: Binding[]) => [...list].sort((a, b) => a.bindingId.localeCompare(b.bindingId));

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

export function stateStoreSuite(name: string, newBackend: () => Promise<Backend>): void {
  const it = (
    title: string,
    body: (b: Backend, t: import('ava').ExecutionContext) => Promise<void>,
  ) =>
    test(`${name}: ${title}`, async (t) => {
      const b = await newBackend();
      try {
        await body(b, t);
      } finally {
        await b.cleanup();
      }
    });

  it('lists what was put', async (b, t) => {
    const s = b.open();
    const binding = makeBinding(b.clock, {
      instanceId: '<urn:uuid:00000000-0000-0000-0000-000000000001>',
      regId: 1,
      userAgent: 'phone/1',
    });
    await s.registrations.put(binding);
    t.deepEqual(await s.registrations.list(binding.aor), [binding]);
    t.deepEqual(await s.registrations.list('sip:nobody@ipvoice.local'), []);
  });

  it('upserts by (aor, bindingId)', async (b, t) => {
    const s = b.open();
    const first = makeBinding(b.clock);
    await s.registrations.put(first);
    const again = { ...first, contact: '<sip:alice@203.0.113.5>', cseq: first.cseq + 1 };
    await s.registrations.put(again);
    t.deepEqual(await s.registrations.list(first.aor), [again]);
    const other = makeBinding(b.clock);
    await s.registrations.put(other);
    t.deepEqual(byId(await s.registrations.list(first.aor)), byId([again, other]));
  });

  it('stores copies, not the caller objects', async (b, t) => {
    const s = b.open();
    const binding = makeBinding(b.clock);
    await s.registrations.put(binding);
    binding.contact = 'changed';
    const [listed] = await s.registrations.list(binding.aor);
    t.not(listed?.contact, 'changed');
    if (listed) listed.path.push('mutated');
    t.deepEqual((await s.registrations.list(binding.aor))[0]?.path, ['<sip:edge.example.net;lr>']);
  });

  it('hides bindings once their expiry time is reached', async (b, t) => {
    const s = b.open();
    // Minutes, not seconds: Redis also expires keys in real time, and a loaded CI machine
    // may take seconds between these steps; the fake clock alone must decide here.
    const short = makeBinding(b.clock, { expiresAt: b.clock.now() + 60_000 });
    const long = makeBinding(b.clock, { expiresAt: b.clock.now() + 300_000 });
    await s.registrations.put(short);
    await s.registrations.put(long);
    b.clock.advance(59_999);
    t.is((await s.registrations.list(short.aor)).length, 2);
    b.clock.advance(1);
    t.deepEqual(await s.registrations.list(short.aor), [long]);
    t.is(await s.registrations.countAors(), 1);
    b.clock.advance(240_000);
    t.deepEqual(await s.registrations.list(short.aor), []);
    t.is(await s.registrations.countAors(), 0);
  });

  it('a re-registration extends the expiry', async (b, t) => {
    const s = b.open();
    const binding = makeBinding(b.clock, { expiresAt: b.clock.now() + 60_000 });
    await s.registrations.put(binding);
    b.clock.advance(54_000);
    await s.registrations.put({ ...binding, expiresAt: b.clock.now() + 60_000 });
    b.clock.advance(54_000);
    t.is((await s.registrations.list(binding.aor)).length, 1);
  });

  it('remove deletes one binding and says whether it was there', async (b, t) => {
    const s = b.open();
    const one = makeBinding(b.clock);
    const two = makeBinding(b.clock);
    await s.registrations.put(one);
    await s.registrations.put(two);
    t.true(await s.registrations.remove(one.aor, one.bindingId));
    t.false(await s.registrations.remove(one.aor, one.bindingId));
    t.false(await s.registrations.remove('sip:nobody@ipvoice.local', 'x'));
    t.deepEqual(await s.registrations.list(one.aor), [two]);
  });

  it('remove of an expired binding reports false', async (b, t) => {
    const s = b.open();
    const binding = makeBinding(b.clock, { expiresAt: b.clock.now() + 60_000 });
    await s.registrations.put(binding);
    b.clock.advance(60_000);
    t.false(await s.registrations.remove(binding.aor, binding.bindingId));
  });

  it('removeAll clears one AOR and counts its live bindings', async (b, t) => {
    const s = b.open();
    await s.registrations.put(makeBinding(b.clock));
    await s.registrations.put(makeBinding(b.clock));
    await s.registrations.put(makeBinding(b.clock, { expiresAt: b.clock.now() + 10 }));
    const bob = makeBinding(b.clock, { aor: 'sip:bob@ipvoice.local' });
    await s.registrations.put(bob);
    b.clock.advance(10);
    t.is(await s.registrations.removeAll('sip:alice@ipvoice.local'), 2);
    t.deepEqual(await s.registrations.list('sip:alice@ipvoice.local'), []);
    t.deepEqual(await s.registrations.list(bob.aor), [bob]);
    t.is(await s.registrations.removeAll('sip:alice@ipvoice.local'), 0);
    t.is(await s.registrations.countAors(), 1);
  });

  it('removeByConnection removes exactly the bindings on that connection', async (b, t) => {
    const s = b.open();
    const alice = makeBinding(b.clock, { flow: tcp('c1') });
    const bob = makeBinding(b.clock, { aor: 'sip:bob@ipvoice.local', flow: tcp('c1') });
    const otherConnection = makeBinding(b.clock, { flow: tcp('c2') });
    const otherServer = makeBinding(b.clock, {
      aor: 'sip:carol@ipvoice.local',
      serverId: 'fs-2',
      flow: tcp('c1'),
    });
    const udp = makeBinding(b.clock, { aor: 'sip:bob@ipvoice.local' });
    for (const x of [alice, bob, otherConnection, otherServer, udp]) await s.registrations.put(x);

    t.deepEqual(byId(await s.registrations.removeByConnection('fs-1', 'c1')), byId([alice, bob]));
    t.deepEqual(await s.registrations.list(alice.aor), [otherConnection]);
    t.deepEqual(await s.registrations.list(bob.aor), [udp]);
    t.deepEqual(await s.registrations.list(otherServer.aor), [otherServer]);
    t.deepEqual(await s.registrations.removeByConnection('fs-1', 'c1'), []);
  });

  it('removeByConnection spares a binding that re-registered over another connection', async (b, t) => {
    const s = b.open();
    const binding = makeBinding(b.clock, { flow: tcp('c1') });
    await s.registrations.put(binding);
    const moved = { ...binding, flow: tcp('c2') };
    await s.registrations.put(moved);
    t.deepEqual(await s.registrations.removeByConnection('fs-1', 'c1'), []);
    t.deepEqual(await s.registrations.list(binding.aor), [moved]);
    t.deepEqual(await s.registrations.removeByConnection('fs-1', 'c2'), [moved]);
    t.is(await s.registrations.countAors(), 0);
  });

  it('removeByConnection does not return bindings that had already expired', async (b, t) => {
    const s = b.open();
    await s.registrations.put(
      makeBinding(b.clock, { flow: tcp('c1'), expiresAt: b.clock.now() + 60_000 }),
    );
    const live = makeBinding(b.clock, { aor: 'sip:bob@ipvoice.local', flow: tcp('c1') });
    await s.registrations.put(live);
    b.clock.advance(60_000);
    t.deepEqual(await s.registrations.removeByConnection('fs-1', 'c1'), [live]);
  });

  it('countAors counts addresses of record with live bindings', async (b, t) => {
    const s = b.open();
    t.is(await s.registrations.countAors(), 0);
    await s.registrations.put(makeBinding(b.clock));
    await s.registrations.put(makeBinding(b.clock));
    await s.registrations.put(makeBinding(b.clock, { aor: 'sip:bob@ipvoice.local' }));
    t.is(await s.registrations.countAors(), 2);
  });

  it('stores on one backend see the same registrations', async (b, t) => {
    const one = b.open();
    const two = b.open();
    const binding = makeBinding(b.clock);
    await one.registrations.put(binding);
    t.deepEqual(await two.registrations.list(binding.aor), [binding]);
    t.true(await two.registrations.remove(binding.aor, binding.bindingId));
    t.deepEqual(await one.registrations.list(binding.aor), []);
  });

  // Channel holds: minute-scale ttls for the same reason as binding expiries above.
  const line = 'N123456789';

  it('channels: acquire stops at the limit, per line', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'call-1', 2, 60_000));
    t.true(await s.channels.acquire(line, 'call-2', 2, 60_000));
    t.false(await s.channels.acquire(line, 'call-3', 2, 60_000));
    t.is(await s.channels.inUse(line), 2);
    t.true(await s.channels.acquire('N987654321', 'call-3', 2, 60_000));
    t.is(await s.channels.inUse('N987654321'), 1);
    t.is(await s.channels.inUse('N000000000'), 0);
  });

  it('channels: acquiring again for the same call takes no second channel', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'call-1', 2, 60_000));
    t.true(await s.channels.acquire(line, 'call-1', 2, 60_000));
    t.is(await s.channels.inUse(line), 1);
    t.true(await s.channels.acquire(line, 'call-2', 2, 60_000));
    t.true(
      await s.channels.acquire(line, 'call-1', 2, 60_000),
      'a holder is not refused at the limit',
    );
    t.is(await s.channels.inUse(line), 2);
  });

  it('channels: release frees the channel and may be repeated', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'call-1', 1, 60_000));
    t.false(await s.channels.acquire(line, 'call-2', 1, 60_000));
    await s.channels.release(line, 'call-1');
    await s.channels.release(line, 'call-1');
    await s.channels.release(line, 'never-held');
    t.is(await s.channels.inUse(line), 0);
    t.true(await s.channels.acquire(line, 'call-2', 1, 60_000));
    t.is(await s.channels.inUse(line), 1);
  });

  it('channels: a hold lapses at its expiry and frees its channel', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'crashed', 2, 60_000));
    t.true(await s.channels.acquire(line, 'long', 2, 300_000));
    b.clock.advance(59_999);
    t.is(await s.channels.inUse(line), 2);
    t.false(await s.channels.acquire(line, 'new', 2, 60_000));
    b.clock.advance(1);
    t.is(await s.channels.inUse(line), 1);
    t.true(await s.channels.acquire(line, 'new', 2, 60_000));
    b.clock.advance(240_000);
    t.is(await s.channels.inUse(line), 0);
  });

  it('channels: refresh extends a hold, and does not revive a lapsed or released one', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'long-call', 2, 60_000));
    b.clock.advance(54_000);
    await s.channels.refresh(line, 'long-call', 60_000);
    b.clock.advance(54_000);
    t.is(await s.channels.inUse(line), 1, 'refreshed hold is still live');
    b.clock.advance(6_000);
    t.is(await s.channels.inUse(line), 0);
    await s.channels.refresh(line, 'long-call', 60_000);
    t.is(await s.channels.inUse(line), 0, 'a lapsed hold stays lapsed');
    t.true(await s.channels.acquire(line, 'other', 2, 60_000));
    await s.channels.release(line, 'other');
    await s.channels.refresh(line, 'other', 60_000);
    t.is(await s.channels.inUse(line), 0, 'a released hold stays released');
  });

  it('channels: a repeated acquire never shortens the hold', async (b, t) => {
    const s = b.open();
    t.true(await s.channels.acquire(line, 'call-1', 1, 300_000));
    t.true(await s.channels.acquire(line, 'call-1', 1, 60_000));
    b.clock.advance(60_000);
    t.is(await s.channels.inUse(line), 1);
  });

  it('channels: 50 simultaneous acquires across stores get exactly the limit', async (b, t) => {
    const stores = [b.open(), b.open()];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (stores[i % 2] as StateStore).channels.acquire(line, `call-${i}`, 10, 60_000),
      ),
    );
    t.is(results.filter(Boolean).length, 10);
    t.is(await (stores[0] as StateStore).channels.inUse(line), 10);
    t.is(await (stores[1] as StateStore).channels.inUse(line), 10);
  });

  // Hunt rotation (SPEC §3.5 round-robin).
  const claims = async (s: StateStore, group: string, size: number, n: number) => {
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(await s.hunt.claim(group, size));
    return got;
  };

  it('hunt: the first claim of a group is 0', async (b, t) => {
    t.is(await b.open().hunt.claim('hg-1', 3), 0);
  });

  it('hunt: successive claims go round the group', async (b, t) => {
    t.deepEqual(await claims(b.open(), 'hg-1', 3, 4), [0, 1, 2, 0]);
  });

  it('hunt: a settle moves the next claim to the member after the one that took the call', async (b, t) => {
    const s = b.open();
    t.is(await s.hunt.claim('hg-1', 5), 0);
    t.true(await s.hunt.settle('hg-1', 0, 3), 'members 0-2 were busy; 3 took the first attempt');
    t.deepEqual(await claims(s, 'hg-1', 5, 3), [4, 0, 1]);
  });

  it('hunt: a settle is refused once a later call has claimed', async (b, t) => {
    const s = b.open();
    t.is(await s.hunt.claim('hg-1', 5), 0);
    t.is(await s.hunt.claim('hg-1', 5), 1);
    t.false(await s.hunt.settle('hg-1', 0, 3));
    t.is(await s.hunt.claim('hg-1', 5), 2, 'the later claim stands');
    t.false(await s.hunt.settle('hg-2', 0, 1), 'nothing claimed in that group');
    t.is(await s.hunt.claim('hg-2', 5), 0);
  });

  it('hunt: two servers taking turns get every position once', async (b, t) => {
    const servers = [b.open(), b.open()];
    const got: number[] = [];
    for (let i = 0; i < 10; i++)
      got.push(await (servers[i % 2] as StateStore).hunt.claim('hg-1', 10));
    t.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('hunt: simultaneous claims on two servers get every position once', async (b, t) => {
    const servers = [b.open(), b.open()];
    const got = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (servers[i % 2] as StateStore).hunt.claim('hg-1', 10)),
    );
    t.deepEqual(
      [...got].sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  it('hunt: groups rotate independently', async (b, t) => {
    const s = b.open();
    t.deepEqual(await claims(s, 'hg-1', 3, 2), [0, 1]);
    t.deepEqual(await claims(s, 'hg-2', 4, 3), [0, 1, 2]);
    t.true(await s.hunt.settle('hg-2', 2, 3));
    t.is(await s.hunt.claim('hg-1', 3), 2);
    t.is(await s.hunt.claim('hg-2', 4), 0);
  });

  it('hunt: a changed size applies from the next claim', async (b, t) => {
    const s = b.open();
    t.deepEqual(await claims(s, 'hg-1', 8, 6), [0, 1, 2, 3, 4, 5]);
    t.is(await s.hunt.claim('hg-1', 4), 2, 'shrunk below the stored 5: (5 + 1) mod 4');
    t.deepEqual(await claims(s, 'hg-1', 6, 4), [3, 4, 5, 0], 'grown');
    t.is(await s.hunt.claim('hg-1', 1), 0);
    t.is(await s.hunt.claim('hg-1', 1), 0);
  });

  it('hunt: sizes and positions that cannot be are refused', async (b, t) => {
    const s = b.open();
    for (const size of [0, -1, 1.5, Number.NaN])
      await t.throwsAsync(s.hunt.claim('hg-1', size), { instanceOf: RangeError });
    await t.throwsAsync(s.hunt.settle('hg-1', -1, 0), { instanceOf: RangeError });
    await t.throwsAsync(s.hunt.settle('hg-1', 0, 0.5), { instanceOf: RangeError });
    t.is(await s.hunt.claim('hg-1', 2), 0, 'nothing was recorded');
  });

  it('withLock excludes holders across stores', async (b, t) => {
    const stores = [b.open(), b.open()];
    let inside = 0;
    let most = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (stores[i % 2] as StateStore).withLock('hunt:42', 10_000, async () => {
          inside++;
          most = Math.max(most, inside);
          // Yield to the event loop (and, for Redis, make a round trip) while holding the lock.
          await (stores[(i + 1) % 2] as StateStore).registrations.countAors();
          await new Promise((r) => setImmediate(r));
          inside--;
          runs++;
        }),
      ),
    );
    t.is(runs, 20);
    t.is(most, 1);
  });

  it('withLock returns the result, and releases the lock when fn throws', async (b, t) => {
    const s = b.open();
    t.is(await s.withLock('l', 10_000, async () => 7), 7);
    await t.throwsAsync(
      s.withLock('l', 10_000, async () => Promise.reject(new Error('boom'))),
      { message: 'boom' },
    );
    t.false(await b.isLocked('l'));
    t.is(await s.withLock('l', 10_000, async () => 'again'), 'again');
  });

  it('different lock names do not exclude each other', async (b, t) => {
    const s = b.open();
    const held = gate();
    const first = s.withLock('a', 10_000, () => held.promise);
    t.is(await s.withLock('b', 10_000, async () => 'b ran'), 'b ran');
    held.open();
    await first;
  });

  it('a lapsed lock passes on, and its old holder cannot release the new holder', async (b, t) => {
    const one = b.open();
    const two = b.open();
    const oneHolds = gate();
    const oneDone = gate();
    const oneRun = one.withLock('l', 200, async () => {
      oneHolds.open();
      await oneDone.promise;
    });
    await oneHolds.promise;
    const twoInside = gate();
    const twoDone = gate();
    const twoRun = two.withLock('l', 10_000, async () => {
      twoInside.open();
      await twoDone.promise;
    });
    await b.lapse(200);
    await twoInside.promise;
    oneDone.open();
    await oneRun;
    t.true(await b.isLocked('l'), 'the lapsed holder must not free the lock now held by another');
    twoDone.open();
    await twoRun;
    t.false(await b.isLocked('l'));
  });

  it('tryLock takes a free lock at once and refuses a held one without waiting', async (b, t) => {
    const one = b.open();
    const two = b.open();
    const release = await one.tryLock('site:7', 10_000, 'csv-upload by tanaka');
    t.truthy(release);
    t.true(await b.isLocked('site:7'));
    t.is(await two.tryLock('site:7', 10_000, 'csv-upload by suzuki'), undefined);
    t.is(await two.lockOwner('site:7'), 'csv-upload by tanaka', 'the holder is who took it');
    t.truthy(await two.tryLock('site:8', 10_000), 'other names are free');
    await release?.();
    t.false(await b.isLocked('site:7'));
    t.is(await two.lockOwner('site:7'), undefined);
    const again = await two.tryLock('site:7', 10_000);
    t.truthy(again, 'free again once released');
    t.is(await one.lockOwner('site:7'), undefined, 'taken without an owner');
    await again?.();
  });

  it('tryLock and withLock exclude each other', async (b, t) => {
    const s = b.open();
    const held = gate();
    const inside = gate();
    const run = s.withLock('l', 10_000, async () => {
      inside.open();
      await held.promise;
    });
    await inside.promise;
    t.is(await s.tryLock('l', 10_000), undefined);
    held.open();
    await run;
    const release = await s.tryLock('l', 10_000);
    t.truthy(release);
    let waited = false;
    const waiting = s.withLock('l', 10_000, async () => {
      waited = true;
    });
    await new Promise((r) => setImmediate(r));
    t.false(waited, 'withLock waits for the tryLock holder');
    await release?.();
    await waiting;
    t.true(waited);
  });

  it('a lapsed tryLock passes on, and its old release cannot free the new holder', async (b, t) => {
    const one = b.open();
    const two = b.open();
    const release = await one.tryLock('l', 200, 'first');
    t.truthy(release);
    await b.lapse(200);
    let second: (() => Promise<void>) | undefined;
    // Redis keeps TTLs in real time: poll until the key has lapsed (at most ~200 ms).
    while ((second = await two.tryLock('l', 10_000, 'second')) === undefined) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await release?.();
    t.is(await one.lockOwner('l'), 'second');
    await second();
    t.false(await b.isLocked('l'));
  });

  it('publish reaches subscribers on other stores', async (b, t) => {
    const publisher = b.open();
    const subscriber = b.open();
    const got = gate();
    const seen: string[] = [];
    await subscriber.subscribe('settings', (m) => {
      seen.push(m);
      got.open();
    });
    await publisher.publish('settings', 'number:+4930123 changed');
    await got.promise;
    t.deepEqual(seen, ['number:+4930123 changed']);
  });

  it('unsubscribe stops delivery to that handler only', async (b, t) => {
    const publisher = b.open();
    const subscriber = b.open();
    const dropped: string[] = [];
    const kept: string[] = [];
    const other: string[] = [];
    const firstArrived = gate();
    const secondArrived = gate();
    const unsubscribe = await subscriber.subscribe('ch', (m) => dropped.push(m));
    await subscriber.subscribe('ch', (m) => {
      kept.push(m);
      (m === 'first' ? firstArrived : secondArrived).open();
    });
    await subscriber.subscribe('elsewhere', (m) => other.push(m));
    await publisher.publish('ch', 'first');
    // publish resolves when the server has sent it, not when the subscriber has read it.
    await firstArrived.promise;
    await unsubscribe();
    await publisher.publish('ch', 'second');
    // Handlers of one channel get a message together, so once `kept` has it `dropped` would too.
    await secondArrived.promise;
    t.deepEqual(kept, ['first', 'second']);
    t.deepEqual(dropped, ['first']);
    t.deepEqual(other, []);
  });
}
