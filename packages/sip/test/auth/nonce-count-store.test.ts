import test from 'ava';
import { FakeClock } from '../../src/core/clock.ts';
import { MemoryNonceCountStore } from '../../src/auth/nonce-count-store.ts';

test('accepts rising counts and refuses repeated or lower ones', async (t) => {
  const store = new MemoryNonceCountStore({ clock: new FakeClock() });
  const later = Date.UTC(2030, 0, 1);
  t.true(await store.accept('n', 1, later));
  t.true(await store.accept('n', 3, later));
  t.false(await store.accept('n', 3, later));
  t.false(await store.accept('n', 2, later));
  t.true(await store.accept('other', 1, later));
});

test('when full it forgets the oldest nonce and refuses it afterwards', async (t) => {
  const clock = new FakeClock();
  const store = new MemoryNonceCountStore({ clock, maxEntries: 2 });
  const at = (s: number) => clock.now() + s * 1000;
  t.true(await store.accept('a', 1, at(10)));
  t.true(await store.accept('b', 1, at(20)));
  t.true(await store.accept('c', 1, at(30)));
  t.is(store.size, 2);
  t.false(await store.accept('a', 2, at(10)), 'a was forgotten, so it may not start over');
  t.true(await store.accept('d', 1, at(40)), 'a nonce expiring later was never seen');
});

test('entries past their expiry are dropped', async (t) => {
  const clock = new FakeClock();
  const store = new MemoryNonceCountStore({ clock });
  await store.accept('a', 1, clock.now() + 1000);
  clock.advance(1000);
  await store.accept('b', 1, clock.now() + 1000);
  t.is(store.size, 1);
});
