import test from 'ava';
import fc from 'fast-check';
import { decideAfterRing } from '../src/decide.ts';
import { huntOrder, memberRing, memberVerdict, type HuntGroupPlan } from '../src/hunt.ts';

const group = (change: Partial<HuntGroupPlan> = {}): HuntGroupPlan => ({
  mode: 'sequential',
  numbers: ['0300000000', '0300000001', '0300000002', '0300000003'],
  noAnswerSeconds: null,
  ...change,
});

test('§3.5 sequential: always the pilot first, then the members in order', (t) => {
  for (const start of [0, 1, 3, 7]) t.deepEqual(huntOrder(group(), start), group().numbers);
});

test('§3.5 round-robin: from the claimed position, wrapping round', (t) => {
  const g = group({ mode: 'round_robin' });
  t.deepEqual(huntOrder(g, 0), g.numbers);
  t.deepEqual(huntOrder(g, 2), ['0300000002', '0300000003', '0300000000', '0300000001']);
  t.deepEqual(huntOrder(g, 5), huntOrder(g, 1));
});

test('round-robin order is always a rotation holding every number once', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(1000), (size, start) => {
      const numbers = Array.from({ length: size }, (_, i) => `03${String(i).padStart(8, '0')}`);
      const order = huntOrder(group({ mode: 'round_robin', numbers }), start);
      t.is(new Set(order).size, size);
      t.is(order[0], numbers[start % size]);
      for (let i = 1; i < size; i++)
        t.is(numbers.indexOf(order[i] ?? ''), (numbers.indexOf(order[i - 1] ?? '') + 1) % size);
    }),
  );
});

test('§3.5: a member without a free channel is busy, one without a device unreachable', (t) => {
  t.is(memberVerdict({ channelAvailable: true, registered: true }), 'ring');
  t.is(memberVerdict({ channelAvailable: false, registered: true }), 'busy');
  t.is(memberVerdict({ channelAvailable: true, registered: false }), 'unreachable');
});

test('a member rings until the group no-answer time, and is given up when silent', (t) => {
  t.deepEqual(memberRing(group(), 2000), { action: 'ring', unreachableAfterMs: 2000 });
  t.deepEqual(memberRing(group({ noAnswerSeconds: 8 }), 2000), {
    action: 'ring',
    unreachableAfterMs: 2000,
    noAnswerAfterMs: 8000,
  });
});

test('§3.5: nobody free means the pilot is busy: its busy forwarding, else 486', (t) => {
  const pilot = {
    number: '0300000000',
    subscriptions: new Set<string>(),
    internationalBarring: false,
    registered: true,
    channelAvailable: true,
    hunting: true,
  };
  const call = { callerNumber: '0312345678', calledNumber: '0300000000', forwardedFrom: [] };
  t.like(decideAfterRing(call, { ...pilot, forwarding: undefined }, 'busy'), {
    action: 'reject',
    status: 486,
  });
  const forwarding = {
    enabled: true,
    unconditional: false,
    onBusy: true,
    onNoAnswer: false,
    onUnreachable: false,
    ringTimeSeconds: 20,
    activeTarget: 'slot1' as const,
    slots: ['0312345679', null, null, null, null] as const,
  };
  t.deepEqual(decideAfterRing(call, { ...pilot, forwarding }, 'busy'), {
    action: 'forward',
    number: '0312345679',
    reason: 'busy',
  });
});
