// The caller gives up while the call rings (RFC 3261 §9): at the called phone, and at the
// forwarding target after 181. The ringing phone gets the CANCEL, the caller 487.
import test from 'ava';
import { CallLab, succeeded, received, statuses } from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';

test('CANCEL while alice rings: her phone is cancelled, the caller gets 487', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-ring');
  const caller = await lab.trunkCall('caller-cancel', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  t.is(statuses(await caller.messages()).at(-1), 487);
  t.is(received(await phone.messages(), 'CANCEL').length, 1);
  t.like(await lab.record(await caller.callId()), {
    direction: 'incoming',
    called: alice,
    outcome: 'no_answer',
    outcome_reason: 'caller-cancelled',
    answered_at: null,
  });
});

test('CANCEL while the forwarding target rings: bob is cancelled, alice never rang', async (t) => {
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            forwarding: { enabled: true, when: 'unconditional', slots: [bob], target: 1 },
          },
          { number: bob },
        ],
      },
    ],
  });
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const bobPhone = await lab.phone(bob, 'phone-ring');
  const caller = await lab.trunkCall('caller-cancel', { caller: outside, callee: alice });

  await succeeded(t, caller, bobPhone);
  const seen = statuses(await caller.messages());
  // 181 first, then bob's 180, and 487 for the cancelled INVITE.
  t.true(seen.indexOf(181) >= 0 && seen.indexOf(181) < seen.indexOf(180), seen.join(' '));
  t.is(seen.at(-1), 487);
  t.is(received(await bobPhone.messages(), 'CANCEL').length, 1);
  t.deepEqual(await alicePhone.messages(), [], 'alice was rung');
  t.like(await lab.record(await caller.callId()), {
    called: alice,
    outcome: 'forwarded',
    outcome_reason: 'unconditional',
    forwarded_to: bob,
    answered_at: null,
  });
});
