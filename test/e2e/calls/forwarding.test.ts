// SPEC §3.1 forwarding, condition by condition, each test with its own server: the trunk
// caller dials alice, whose setting forwards to bob; bob's phone answers. Every forwarded call
// tells the caller 181 once and leaves one record naming the target and the reason.
import test from 'ava';
import {
  CallLab,
  succeeded,
  received,
  statuses,
  type ForwardingSpec,
  type TracedSipp,
} from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';

function toBob(when: ForwardingSpec['when'], ringTime = 20): ForwardingSpec {
  return { enabled: true, when, ringTime, slots: [bob], target: 1 };
}

async function labWith(forwarding: ForwardingSpec): Promise<CallLab> {
  return CallLab.start({
    lines: [{ numbers: [{ number: alice, forwarding }, { number: bob }] }],
  });
}

/** The call reached bob forwarded from alice: one INVITE, To bob, the caller kept in From. */
async function reachedBob(t: import('ava').ExecutionContext, bobPhone: TracedSipp) {
  const invites = received(await bobPhone.messages(), 'INVITE');
  t.is(invites.length, 1);
  t.regex(invites[0]?.header('To') ?? '', new RegExp(`sip:${bob}@`));
  // SPEC §3.1: a forwarded call keeps the original caller ID.
  t.regex(invites[0]?.header('From') ?? '', new RegExp(`sip:${outside}@`));
}

test('unconditional: alice never rings, bob answers, the caller hears 181', async (t) => {
  const lab = await labWith(toBob('unconditional'));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, bobPhone);
  t.true(statuses(await caller.messages()).includes(181));
  await reachedBob(t, bobPhone);
  const record = await lab.record(await caller.callId());
  t.like(record, {
    direction: 'incoming',
    called: alice,
    caller: outside,
    outcome: 'forwarded',
    outcome_reason: 'unconditional',
    forwarded_to: bob,
  });
  t.truthy(record.answered_at);
  t.deepEqual(await alicePhone.messages(), [], 'alice was rung');
});

test('busy: alice answers 486, the call goes on to bob', async (t) => {
  const lab = await labWith(toBob(['busy']));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-busy');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone, bobPhone);
  t.true(statuses(await caller.messages()).includes(181));
  t.false(statuses(await caller.messages()).includes(486), 'the busy reached the caller');
  await reachedBob(t, bobPhone);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: bob,
  });
});

test('no answer: alice rings for the ring time (5 s), then the call goes to bob', async (t) => {
  const lab = await labWith(toBob(['noAnswer'], 5));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-ring');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone, bobPhone);
  const [first] = received(await alicePhone.messages(), 'INVITE');
  const [forwarded] = received(await bobPhone.messages(), 'INVITE');
  const seconds = ((forwarded?.at ?? 0) - (first?.at ?? 0)) / 1000;
  t.true(seconds >= 4.5 && seconds <= 6.5, `forwarded after ${seconds} s`);
  // alice's ringing is given up with a CANCEL (RFC 3261 §9.1).
  t.is(received(await alicePhone.messages(), 'CANCEL').length, 1);
  t.true(statuses(await caller.messages()).includes(181));
  await reachedBob(t, bobPhone);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'no-answer',
    forwarded_to: bob,
  });
});

test('unreachable: alice has never registered, the call goes to bob', async (t) => {
  const lab = await labWith(toBob(['unreachable']));
  t.teardown(() => lab.dispose());
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, bobPhone);
  t.true(statuses(await caller.messages()).includes(181));
  await reachedBob(t, bobPhone);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'unreachable',
    forwarded_to: bob,
  });
});

for (const [status, scenario] of [
  [480, 'phone-unavailable'],
  [404, 'phone-not-found'],
] as const) {
  test(`unreachable: alice's device answers ${status}, the call goes to bob`, async (t) => {
    const lab = await labWith(toBob(['unreachable']));
    t.teardown(() => lab.dispose());
    const alicePhone = await lab.phone(alice, scenario);
    const bobPhone = await lab.phone(bob, 'phone-answer');
    const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

    await succeeded(t, caller, alicePhone, bobPhone);
    t.true(statuses(await caller.messages()).includes(181));
    t.false(statuses(await caller.messages()).includes(status));
    await reachedBob(t, bobPhone);
    t.like(await lab.record(await caller.callId()), {
      outcome: 'forwarded',
      outcome_reason: 'unreachable',
      forwarded_to: bob,
    });
  });
}

test("unreachable: alice's device stays silent, the call goes to bob after 2 s", async (t) => {
  const lab = await labWith(toBob(['unreachable']));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-silent');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, bobPhone);
  const [first] = received(await alicePhone.messages(), 'INVITE');
  const [forwarded] = received(await bobPhone.messages(), 'INVITE');
  const seconds = ((forwarded?.at ?? 0) - (first?.at ?? 0)) / 1000;
  t.true(seconds >= 1.5 && seconds <= 3.5, `forwarded after ${seconds} s`);
  // RFC 3261 §9.1: no CANCEL for an INVITE that has had no provisional response.
  t.deepEqual(received(await alicePhone.messages(), 'CANCEL'), []);
  t.true(statuses(await caller.messages()).includes(181));
  await reachedBob(t, bobPhone);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'unreachable',
    forwarded_to: bob,
  });
});

test('busy and no answer set: a busy alice forwards on busy', async (t) => {
  const lab = await labWith(toBob(['busy', 'noAnswer'], 5));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-busy');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone, bobPhone);
  const [first] = received(await alicePhone.messages(), 'INVITE');
  const [forwarded] = received(await bobPhone.messages(), 'INVITE');
  // On the busy answer, not after the 5 s ring time.
  t.true((forwarded?.at ?? 0) - (first?.at ?? 0) < 3000);
  await reachedBob(t, bobPhone);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: bob,
  });
});

test('busy and no answer set: alice answers, nothing is forwarded', async (t) => {
  const lab = await labWith(toBob(['busy', 'noAnswer'], 5));
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone);
  t.false(statuses(await caller.messages()).includes(181));
  const record = await lab.record(await caller.callId());
  t.like(record, { outcome: 'answered', outcome_reason: null, forwarded_to: null });
  t.deepEqual(await bobPhone.messages(), [], 'bob was rung');
});
