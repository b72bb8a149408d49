import test from 'ava';
import fc from 'fast-check';
import { decideAfterRing, decideIncoming } from '../src/decide.ts';
import { checkTargetNumber } from '../src/forwarding-target.ts';
import { normalizeNumber } from '../src/numbers.ts';
import type {
  CallFacts,
  CalleeFacts,
  ForwardingSetting,
  Plan,
  Policy,
  RingOutcome,
} from '../src/types.ts';

const CALLEE = '0311112222';
const TARGET = '0312345678';
const ABROAD = '01012125550123';

const forwarding = (change: Partial<ForwardingSetting> = {}): ForwardingSetting => ({
  enabled: true,
  unconditional: false,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: 'slot1',
  slots: [TARGET, '09012345678', null, ABROAD, null],
  ...change,
});

const callee = (change: Partial<CalleeFacts> = {}): CalleeFacts => ({
  number: CALLEE,
  forwarding: undefined,
  subscriptions: new Set(),
  internationalBarring: false,
  registered: true,
  channelAvailable: true,
  ...change,
});

const call = (change: Partial<CallFacts> = {}): CallFacts => ({
  callerNumber: '0455556666',
  calledNumber: CALLEE,
  forwardedFrom: [],
  ...change,
});

const withVoicemail = new Set(['voicemail']);
const busyHere: Plan = { action: 'reject', status: 486, reason: 'Busy Here', cause: 'busy' };
const noAnswer: Plan = { action: 'reject', status: 480, reason: 'No Answer', cause: 'no-answer' };
const unavailable: Plan = {
  action: 'reject',
  status: 480,
  reason: 'Temporarily Unavailable',
  cause: 'unreachable',
};
const loopDetected: Plan = {
  action: 'reject',
  status: 482,
  reason: 'Loop Detected',
  cause: 'forwarding-loop',
};
const tooManyForwards: Plan = {
  action: 'reject',
  status: 482,
  reason: 'Too Many Forwards',
  cause: 'forwarding-hops',
};
const fiveHops = ['0322220001', '0322220002', '0322220003', '0322220004', '0322220005'];

interface Row {
  name: string;
  call?: Partial<CallFacts>;
  callee: Partial<CalleeFacts>;
  policy?: Policy;
  plan: Plan;
}

const incoming: Row[] = [
  // no forwarding
  {
    name: 'rings without timers when no forwarding is stored',
    callee: {},
    plan: { action: 'ring' },
  },
  {
    name: 'rings without timers when forwarding is off, whatever its conditions',
    callee: {
      forwarding: forwarding({
        enabled: false,
        onBusy: true,
        onNoAnswer: true,
        onUnreachable: true,
      }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'rejects 486 busy when the access line is full and forwarding is off',
    callee: { channelAvailable: false, forwarding: forwarding({ enabled: false, onBusy: true }) },
    plan: busyHere,
  },
  {
    name: 'rejects 480 unreachable when not registered and nothing is stored',
    callee: { registered: false },
    plan: unavailable,
  },
  // unconditional
  {
    name: 'forwards unconditionally to slot 1 at once',
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unconditional' },
  },
  {
    name: 'forwards unconditionally to slot 2 at once',
    callee: { forwarding: forwarding({ unconditional: true, activeTarget: 'slot2' }) },
    plan: { action: 'forward', number: '09012345678', reason: 'unconditional' },
  },
  {
    name: 'forwards unconditionally even when the access line is full',
    callee: { channelAvailable: false, forwarding: forwarding({ unconditional: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unconditional' },
  },
  {
    name: 'forwards unconditionally even when not registered',
    callee: { registered: false, forwarding: forwarding({ unconditional: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unconditional' },
  },
  {
    name: 'sends unconditionally to voicemail when subscribed',
    callee: {
      subscriptions: withVoicemail,
      forwarding: forwarding({ unconditional: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'voicemail', reason: 'unconditional' },
  },
  {
    name: 'rings when the unconditional target is voicemail without the subscription',
    callee: { forwarding: forwarding({ unconditional: true, activeTarget: 'voicemail' }) },
    plan: { action: 'ring' },
  },
  {
    name: 'rings when the unconditional target names an empty slot',
    callee: { forwarding: forwarding({ unconditional: true, activeTarget: 'slot3' }) },
    plan: { action: 'ring' },
  },
  {
    name: 'rings when unconditional forwarding has no target',
    callee: { forwarding: forwarding({ unconditional: true, activeTarget: null }) },
    plan: { action: 'ring' },
  },
  {
    name: 'forwards unconditionally abroad without international barring',
    callee: { forwarding: forwarding({ unconditional: true, activeTarget: 'slot4' }) },
    plan: { action: 'forward', number: ABROAD, reason: 'unconditional' },
  },
  {
    name: 'rings instead of forwarding abroad under international barring',
    callee: {
      internationalBarring: true,
      forwarding: forwarding({ unconditional: true, activeTarget: 'slot4' }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'ignores busy forwarding stored beside unconditional (they are exclusive)',
    callee: {
      channelAvailable: false,
      forwarding: forwarding({ unconditional: true, activeTarget: 'slot3', onBusy: true }),
    },
    plan: busyHere,
  },
  {
    name: 'forwards to a stored target written with hyphens, normalized',
    callee: {
      forwarding: forwarding({
        unconditional: true,
        slots: ['03-1234-5678', null, null, null, null],
      }),
    },
    plan: { action: 'forward', number: TARGET, reason: 'unconditional' },
  },
  {
    name: 'does not forward to a stored toll-free target',
    callee: {
      forwarding: forwarding({
        unconditional: true,
        slots: ['0120123456', null, null, null, null],
      }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'does not forward to a stored emergency number',
    callee: {
      forwarding: forwarding({ unconditional: true, slots: ['110', null, null, null, null] }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'does not forward to a stored target that is no number',
    callee: {
      forwarding: forwarding({ unconditional: true, slots: ['garbage', null, null, null, null] }),
    },
    plan: { action: 'ring' },
  },
  // unconditional loops and hops
  {
    name: 'rejects 482 loop when the unconditional target is the callee itself',
    callee: {
      forwarding: forwarding({ unconditional: true, slots: [CALLEE, null, null, null, null] }),
    },
    plan: loopDetected,
  },
  {
    name: 'rejects 482 loop when the unconditional target is the dialled dial-in number',
    call: { calledNumber: TARGET },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: loopDetected,
  },
  {
    name: 'rejects 482 loop when the call was already forwarded from the target',
    call: { forwardedFrom: ['0399998888', TARGET] },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: loopDetected,
  },
  {
    name: 'compares the history normalized (+81 form in Diversion)',
    call: { forwardedFrom: ['+81-3-1234-5678'] },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: loopDetected,
  },
  {
    name: 'compares the stored target normalized against the callee',
    callee: {
      forwarding: forwarding({
        unconditional: true,
        slots: ['+81 3 1111 2222', null, null, null, null],
      }),
    },
    plan: loopDetected,
  },
  {
    name: 'forwards a call already forwarded 4 times (limit 5)',
    call: { forwardedFrom: fiveHops.slice(0, 4) },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unconditional' },
  },
  {
    name: 'rejects 482 hops when the call was already forwarded 5 times (limit 5)',
    call: { forwardedFrom: fiveHops },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: tooManyForwards,
  },
  {
    name: 'rejects 482 hops at a configured limit of 2',
    call: { forwardedFrom: fiveHops.slice(0, 2) },
    callee: { forwarding: forwarding({ unconditional: true }) },
    policy: { maxForwardingHops: 2, unreachableTimeoutMs: 2000 },
    plan: tooManyForwards,
  },
  {
    name: 'names the loop rather than the hop count when both apply',
    call: { forwardedFrom: [...fiveHops, TARGET] },
    callee: { forwarding: forwarding({ unconditional: true }) },
    plan: loopDetected,
  },
  {
    name: 'sends to voicemail whatever the hop count (it forwards nowhere)',
    call: { forwardedFrom: [...fiveHops, CALLEE] },
    callee: {
      subscriptions: withVoicemail,
      forwarding: forwarding({ unconditional: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'voicemail', reason: 'unconditional' },
  },
  // busy
  {
    name: 'forwards on busy when the access line is full',
    callee: { channelAvailable: false, forwarding: forwarding({ onBusy: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'busy' },
  },
  {
    name: 'sends to voicemail on busy when subscribed',
    callee: {
      channelAvailable: false,
      subscriptions: withVoicemail,
      forwarding: forwarding({ onBusy: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'voicemail', reason: 'busy' },
  },
  {
    name: 'rejects 486 busy when only no-answer and unreachable forwarding are set',
    callee: {
      channelAvailable: false,
      forwarding: forwarding({ onNoAnswer: true, onUnreachable: true }),
    },
    plan: busyHere,
  },
  {
    name: 'treats a full access line as busy before looking at registration',
    callee: {
      channelAvailable: false,
      registered: false,
      forwarding: forwarding({ onUnreachable: true }),
    },
    plan: busyHere,
  },
  {
    name: 'rejects 486 busy when the busy target is barred abroad',
    callee: {
      channelAvailable: false,
      internationalBarring: true,
      forwarding: forwarding({ onBusy: true, activeTarget: 'slot4' }),
    },
    plan: busyHere,
  },
  {
    name: 'rejects 486 with cause forwarding-loop when the busy target is in the history',
    call: { forwardedFrom: [TARGET] },
    callee: { channelAvailable: false, forwarding: forwarding({ onBusy: true }) },
    plan: { ...busyHere, cause: 'forwarding-loop' },
  },
  {
    name: 'rejects 486 with cause forwarding-hops past the hop limit',
    call: { forwardedFrom: fiveHops },
    callee: { channelAvailable: false, forwarding: forwarding({ onBusy: true }) },
    plan: { ...busyHere, cause: 'forwarding-hops' },
  },
  // unreachable (no live registration)
  {
    name: 'forwards when not registered and unreachable forwarding is set',
    callee: { registered: false, forwarding: forwarding({ onUnreachable: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unreachable' },
  },
  {
    name: 'sends to voicemail when not registered and subscribed',
    callee: {
      registered: false,
      subscriptions: withVoicemail,
      forwarding: forwarding({ onUnreachable: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'voicemail', reason: 'unreachable' },
  },
  {
    name: 'rejects 480 unreachable when only busy and no-answer forwarding are set',
    callee: { registered: false, forwarding: forwarding({ onBusy: true, onNoAnswer: true }) },
    plan: unavailable,
  },
  {
    name: 'rejects 480 with cause forwarding-loop when the unreachable target is in the history',
    call: { forwardedFrom: [TARGET] },
    callee: { registered: false, forwarding: forwarding({ onUnreachable: true }) },
    plan: { ...unavailable, cause: 'forwarding-loop' },
  },
  {
    name: 'rejects 480 with cause forwarding-hops past the hop limit',
    call: { forwardedFrom: fiveHops },
    callee: { registered: false, forwarding: forwarding({ onUnreachable: true }) },
    plan: { ...unavailable, cause: 'forwarding-hops' },
  },
  // ringing and its timers
  {
    name: 'rings and forwards to slot 2 after 20 s without answer',
    callee: { forwarding: forwarding({ onNoAnswer: true, activeTarget: 'slot2' }) },
    plan: { action: 'ring', noAnswerAfterMs: 20_000 },
  },
  {
    name: 'rings for the shortest ring time, 5 s',
    callee: { forwarding: forwarding({ onNoAnswer: true, ringTimeSeconds: 5 }) },
    plan: { action: 'ring', noAnswerAfterMs: 5_000 },
  },
  {
    name: 'arms the 2 s unreachable timer when unreachable forwarding applies',
    callee: { forwarding: forwarding({ onUnreachable: true }) },
    plan: { action: 'ring', unreachableAfterMs: 2_000 },
  },
  {
    name: 'takes the unreachable timeout from the policy',
    callee: { forwarding: forwarding({ onUnreachable: true }) },
    policy: { maxForwardingHops: 5, unreachableTimeoutMs: 3_500 },
    plan: { action: 'ring', unreachableAfterMs: 3_500 },
  },
  {
    name: 'arms both timers with every condition set',
    callee: { forwarding: forwarding({ onBusy: true, onNoAnswer: true, onUnreachable: true }) },
    plan: { action: 'ring', noAnswerAfterMs: 20_000, unreachableAfterMs: 2_000 },
  },
  {
    name: 'arms the no-answer timer for voicemail when subscribed',
    callee: {
      subscriptions: withVoicemail,
      forwarding: forwarding({ onNoAnswer: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'ring', noAnswerAfterMs: 20_000 },
  },
  {
    name: 'arms no timer for voicemail without the subscription',
    callee: {
      forwarding: forwarding({ onNoAnswer: true, onUnreachable: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'arms no timer when the target is barred abroad',
    callee: {
      internationalBarring: true,
      forwarding: forwarding({ onNoAnswer: true, onUnreachable: true, activeTarget: 'slot4' }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'arms no timer when the target slot is empty',
    callee: {
      forwarding: forwarding({ onNoAnswer: true, onUnreachable: true, activeTarget: 'slot5' }),
    },
    plan: { action: 'ring' },
  },
  {
    name: 'arms the no-answer timer even when the target would loop (the call still ends on time)',
    call: { forwardedFrom: [TARGET] },
    callee: { forwarding: forwarding({ onNoAnswer: true }) },
    plan: { action: 'ring', noAnswerAfterMs: 20_000 },
  },
  {
    name: 'keeps a stored ring time of 0 s within 5 s',
    callee: { forwarding: forwarding({ onNoAnswer: true, ringTimeSeconds: 0 }) },
    plan: { action: 'ring', noAnswerAfterMs: 5_000 },
  },
  {
    name: 'keeps a stored ring time of 99 s within 30 s',
    callee: { forwarding: forwarding({ onNoAnswer: true, ringTimeSeconds: 99 }) },
    plan: { action: 'ring', noAnswerAfterMs: 30_000 },
  },
  {
    name: 'rings 30 s for a stored ring time that is not a number',
    callee: { forwarding: forwarding({ onNoAnswer: true, ringTimeSeconds: Number.NaN }) },
    plan: { action: 'ring', noAnswerAfterMs: 30_000 },
  },
];

for (const row of incoming) {
  test(`decideIncoming ${row.name}`, (t) => {
    t.deepEqual(decideIncoming(call(row.call), callee(row.callee), row.policy), row.plan);
  });
}

interface AfterRow extends Row {
  outcome: RingOutcome;
}

const afterRing: AfterRow[] = [
  {
    name: 'forwards on a device busy',
    outcome: 'busy',
    callee: { forwarding: forwarding({ onBusy: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'busy' },
  },
  {
    name: 'rejects 486 busy without busy forwarding',
    outcome: 'busy',
    callee: { forwarding: forwarding({ onNoAnswer: true, onUnreachable: true }) },
    plan: busyHere,
  },
  {
    name: 'forwards to slot 2 after the ring time',
    outcome: 'no-answer',
    callee: { forwarding: forwarding({ onNoAnswer: true, activeTarget: 'slot2' }) },
    plan: { action: 'forward', number: '09012345678', reason: 'no-answer' },
  },
  {
    name: 'sends to voicemail after the ring time when subscribed',
    outcome: 'no-answer',
    callee: {
      subscriptions: withVoicemail,
      forwarding: forwarding({ onNoAnswer: true, activeTarget: 'voicemail' }),
    },
    plan: { action: 'voicemail', reason: 'no-answer' },
  },
  {
    name: 'rejects 480 No Answer without no-answer forwarding',
    outcome: 'no-answer',
    callee: { forwarding: forwarding({ onBusy: true }) },
    plan: noAnswer,
  },
  {
    name: 'forwards when every device answered 480/404 or stayed silent',
    outcome: 'unreachable',
    callee: { forwarding: forwarding({ onUnreachable: true }) },
    plan: { action: 'forward', number: TARGET, reason: 'unreachable' },
  },
  {
    name: 'rejects 480 unreachable without unreachable forwarding',
    outcome: 'unreachable',
    callee: { forwarding: forwarding({ onBusy: true, onNoAnswer: true }) },
    plan: unavailable,
  },
  {
    name: 'rejects 480 No Answer when forwarding is off',
    outcome: 'no-answer',
    callee: { forwarding: forwarding({ enabled: false, onNoAnswer: true }) },
    plan: noAnswer,
  },
  {
    name: 'rejects 480 No Answer when nothing is stored',
    outcome: 'no-answer',
    callee: {},
    plan: noAnswer,
  },
  {
    name: 'does not forward on no answer beside an unusable unconditional setting',
    outcome: 'no-answer',
    callee: {
      forwarding: forwarding({ unconditional: true, onNoAnswer: true, activeTarget: 'slot3' }),
    },
    plan: noAnswer,
  },
  {
    name: 'rejects 480 No Answer when voicemail is not subscribed',
    outcome: 'no-answer',
    callee: { forwarding: forwarding({ onNoAnswer: true, activeTarget: 'voicemail' }) },
    plan: noAnswer,
  },
  {
    name: 'rejects 480 No Answer when the target is barred abroad',
    outcome: 'no-answer',
    callee: {
      internationalBarring: true,
      forwarding: forwarding({ onNoAnswer: true, activeTarget: 'slot4' }),
    },
    plan: noAnswer,
  },
  {
    name: 'rejects 486 with cause forwarding-loop when the busy target is the callee',
    outcome: 'busy',
    callee: { forwarding: forwarding({ onBusy: true, slots: [CALLEE, null, null, null, null] }) },
    plan: { ...busyHere, cause: 'forwarding-loop' },
  },
  {
    name: 'rejects 480 No Answer with cause forwarding-loop when the target is in the history',
    outcome: 'no-answer',
    call: { forwardedFrom: [TARGET] },
    callee: { forwarding: forwarding({ onNoAnswer: true }) },
    plan: { ...noAnswer, cause: 'forwarding-loop' },
  },
  {
    name: 'rejects 480 unreachable with cause forwarding-loop when the target is the dialled number',
    outcome: 'unreachable',
    call: { calledNumber: TARGET },
    callee: { forwarding: forwarding({ onUnreachable: true }) },
    plan: { ...unavailable, cause: 'forwarding-loop' },
  },
  {
    name: 'rejects 480 No Answer with cause forwarding-hops past the hop limit',
    outcome: 'no-answer',
    call: { forwardedFrom: fiveHops },
    callee: { forwarding: forwarding({ onNoAnswer: true }) },
    plan: { ...noAnswer, cause: 'forwarding-hops' },
  },
  {
    name: 'rejects 486 with cause forwarding-hops past a configured limit of 1',
    outcome: 'busy',
    call: { forwardedFrom: fiveHops.slice(0, 1) },
    callee: { forwarding: forwarding({ onBusy: true }) },
    policy: { maxForwardingHops: 1, unreachableTimeoutMs: 2000 },
    plan: { ...busyHere, cause: 'forwarding-hops' },
  },
];

for (const row of afterRing) {
  test(`decideAfterRing ${row.name}`, (t) => {
    t.deepEqual(
      decideAfterRing(call(row.call), callee(row.callee), row.outcome, row.policy),
      row.plan,
    );
  });
}

// Properties over arbitrary facts: a small pool of numbers makes loops and refused targets
// frequent.
const numberPool = fc.constantFrom(
  CALLEE,
  TARGET,
  '09012345678',
  ABROAD,
  '+81-3-1234-5678',
  '0120123456',
  '110',
  'garbage',
);
const slot = fc.option(numberPool, { nil: null });
const settingArb: fc.Arbitrary<ForwardingSetting> = fc.record({
  enabled: fc.boolean(),
  unconditional: fc.boolean(),
  onBusy: fc.boolean(),
  onNoAnswer: fc.boolean(),
  onUnreachable: fc.boolean(),
  ringTimeSeconds: fc.oneof(fc.integer({ min: 5, max: 30 }), fc.double()),
  activeTarget: fc.constantFrom('slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'voicemail', null),
  slots: fc.tuple(slot, slot, slot, slot, slot),
});
const calleeArb: fc.Arbitrary<CalleeFacts> = fc.record({
  number: numberPool,
  forwarding: fc.option(settingArb, { nil: undefined }),
  subscriptions: fc.constantFrom(new Set<string>(), withVoicemail),
  internationalBarring: fc.boolean(),
  registered: fc.boolean(),
  channelAvailable: fc.boolean(),
});
const callArb: fc.Arbitrary<CallFacts> = fc.record({
  calledNumber: numberPool,
  forwardedFrom: fc.array(numberPool, { maxLength: 7 }),
});
const policyArb: fc.Arbitrary<Policy> = fc.record({
  maxForwardingHops: fc.integer({ min: 0, max: 6 }),
  unreachableTimeoutMs: fc.integer({ min: 1, max: 10_000 }),
});
const outcomeArb = fc.constantFrom<RingOutcome>('busy', 'no-answer', 'unreachable');

const knownRejects = new Set([
  '486 Busy Here busy',
  '480 No Answer no-answer',
  '480 Temporarily Unavailable unreachable',
  '482 Loop Detected forwarding-loop',
  '482 Too Many Forwards forwarding-hops',
  '486 Busy Here forwarding-loop',
  '486 Busy Here forwarding-hops',
  '480 No Answer forwarding-loop',
  '480 No Answer forwarding-hops',
  '480 Temporarily Unavailable forwarding-loop',
  '480 Temporarily Unavailable forwarding-hops',
]);

function wellFormed(plan: Plan, c: CallFacts, e: CalleeFacts, p: Policy): boolean {
  switch (plan.action) {
    case 'ring':
      return (
        (plan.noAnswerAfterMs === undefined ||
          (plan.noAnswerAfterMs >= 5_000 && plan.noAnswerAfterMs <= 30_000)) &&
        (plan.unreachableAfterMs === undefined ||
          plan.unreachableAfterMs === p.unreachableTimeoutMs)
      );
    case 'forward': {
      const visited = [e.number, c.calledNumber, ...c.forwardedFrom].map(
        (n) => normalizeNumber(n) ?? n,
      );
      return (
        checkTargetNumber(plan.number).ok &&
        !visited.includes(plan.number) &&
        c.forwardedFrom.length < p.maxForwardingHops &&
        !(e.internationalBarring && plan.number.startsWith('010')) &&
        e.forwarding?.enabled === true
      );
    }
    case 'voicemail':
      return e.subscriptions.has('voicemail') && e.forwarding?.activeTarget === 'voicemail';
    case 'reject':
      return knownRejects.has(`${plan.status} ${plan.reason} ${plan.cause}`);
    default:
      return false;
  }
}

test('decideIncoming always returns a well-formed plan of a known action', (t) => {
  fc.assert(
    fc.property(callArb, calleeArb, policyArb, (c, e, p) =>
      wellFormed(decideIncoming(c, e, p), c, e, p),
    ),
    { numRuns: 2000 },
  );
  t.pass();
});

test('decideAfterRing always returns a well-formed plan, and never rings again', (t) => {
  fc.assert(
    fc.property(callArb, calleeArb, outcomeArb, policyArb, (c, e, o, p) => {
      const plan = decideAfterRing(c, e, o, p);
      return plan.action !== 'ring' && wellFormed(plan, c, e, p);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('unconditional forwarding to a usable target never rings', (t) => {
  const usable = fc.record({
    enabled: fc.constant(true),
    unconditional: fc.constant(true),
    onBusy: fc.constant(false),
    onNoAnswer: fc.constant(false),
    onUnreachable: fc.constant(false),
    ringTimeSeconds: fc.integer({ min: 5, max: 30 }),
    activeTarget: fc.constant('slot1' as const),
    slots: fc.tuple(fc.constantFrom(TARGET, '09012345678', ABROAD), slot, slot, slot, slot),
  });
  fc.assert(
    fc.property(callArb, calleeArb, usable, policyArb, (c, e, f, p) => {
      const plan = decideIncoming(c, { ...e, forwarding: f, internationalBarring: false }, p);
      return plan.action === 'forward' || (plan.action === 'reject' && plan.status === 482);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('a call is never forwarded from a plan whose condition was not set', (t) => {
  fc.assert(
    fc.property(callArb, calleeArb, outcomeArb, policyArb, (c, e, o, p) => {
      const plan = decideAfterRing(c, e, o, p);
      if (plan.action !== 'forward' && plan.action !== 'voicemail') return true;
      const f = e.forwarding;
      const flag = { busy: f?.onBusy, 'no-answer': f?.onNoAnswer, unreachable: f?.onUnreachable }[
        o
      ];
      return plan.reason === o && flag === true && f?.unconditional === false;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('§3.4: special-number forwarding governs the number, to the operator’s number', (t) => {
  const special = {
    enabled: true,
    unconditional: false,
    onBusy: true,
    onNoAnswer: true,
    onUnreachable: false,
    ringTimeSeconds: 12,
    number: '0120-123-456',
  };
  const call: CallFacts = { callerNumber: '0312340000', calledNumber: CALLEE, forwardedFrom: [] };
  // The §3.1 setting (unconditional to TARGET) is set aside while the special one is present.
  const c = callee({
    forwarding: forwarding({ unconditional: true }),
    specialForwarding: special,
  });
  t.deepEqual(decideIncoming(call, c), { action: 'ring', noAnswerAfterMs: 12_000 });
  t.deepEqual(decideAfterRing(call, c, 'busy'), {
    action: 'forward',
    number: '0120123456',
    reason: 'busy',
  });
  t.like(decideAfterRing(call, c, 'unreachable'), { action: 'reject', status: 480 });
  const unconditional = callee({ specialForwarding: { ...special, unconditional: true } });
  t.deepEqual(decideIncoming(call, unconditional), {
    action: 'forward',
    number: '0120123456',
    reason: 'unconditional',
  });
  // Switched off: neither it nor the §3.1 setting forwards.
  const off = callee({
    forwarding: forwarding({ unconditional: true }),
    specialForwarding: { ...special, enabled: false },
  });
  t.deepEqual(decideIncoming(call, off), { action: 'ring' });
  // Only toll-free and navi-dial numbers may be the special target.
  const odd = callee({
    specialForwarding: { ...special, unconditional: true, number: '0312345678' },
  });
  t.deepEqual(decideIncoming(call, odd), { action: 'ring' });
});

test('§3.4: the special target is still subject to the loop rule', (t) => {
  const c = callee({
    specialForwarding: {
      enabled: true,
      unconditional: true,
      onBusy: false,
      onNoAnswer: false,
      onUnreachable: false,
      ringTimeSeconds: 20,
      number: '0120123456',
    },
  });
  const looped: CallFacts = {
    callerNumber: '0312340000',
    calledNumber: CALLEE,
    forwardedFrom: ['0120123456'],
  };
  t.like(decideIncoming(looped, c), { action: 'reject', status: 482 });
});
