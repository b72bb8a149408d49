// What the subscriber model decides (SPEC §2): a dial-in number rings its base number's
// devices with the dialled number kept, and an access line's channel count caps its calls,
// a call beyond it being busy (and forwarded as busy when that is set).
import test from 'ava';
import {
  CallLab,
  succeeded,
  received,
  statuses,
  waitForMessage,
  type NumberSpec,
} from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';
const carol = '0355560003';
const dialIn = '0355550009';

test('a dial-in number rings its base number, the dialled number kept in To', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice, dialIns: [dialIn] }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: dialIn });

  await succeeded(t, caller, phone);
  const [invite] = received(await phone.messages(), 'INVITE');
  const user = new RegExp(`sip:${dialIn}@`);
  t.true(
    user.test(invite?.startLine ?? '') || user.test(invite?.header('To') ?? ''),
    `${invite?.startLine}\nTo: ${invite?.header('To')}`,
  );
  t.like(await lab.record(await caller.callId()), {
    called: dialIn,
    outcome: 'answered',
    access_line_code: 'N900000000',
  });
});

/**
 * alice's call is answered and held; meanwhile a second call to bob on the same one-channel
 * line comes in. Returns the second caller, bob's phone and the lab.
 */
async function lineFull(
  t: import('ava').ExecutionContext,
  bobSetting: NumberSpec,
  secondScenario: string,
) {
  const lab = await CallLab.start({
    lines: [
      { channels: 1, numbers: [{ number: alice }, bobSetting] },
      { numbers: [{ number: carol }] },
    ],
    inboundTrunks: 2,
  });
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const carolPhone = await lab.phone(carol, 'phone-answer');
  // Long enough to hold the line while the second call runs; checked below, not assumed.
  const held = await lab.trunkCall('caller', { caller: outside, callee: alice, talkMs: 4000 });
  await waitForMessage(held, (m) => m.direction === 'sent' && m.method === 'ACK');
  const second = await lab.trunkCall(secondScenario, {
    caller: '0312000002',
    callee: bob,
    trunk: 1,
  });
  await succeeded(t, second);
  const secondRecord = await lab.record(await second.callId());
  await succeeded(t, held, alicePhone);
  const heldRecord = await lab.record(await held.callId());
  t.like(heldRecord, { called: alice, outcome: 'answered' });
  // The second call really met a full line: it ended while the first was still up.
  t.true(secondRecord.ended_at < heldRecord.ended_at, 'the first call had ended already');
  t.deepEqual(await bobPhone.messages(), [], 'bob was rung beyond the channel count');
  return { lab, second, secondRecord, carolPhone };
}

test('channels: 1 — a second call on the line is busy (486)', async (t) => {
  const { second, secondRecord, carolPhone } = await lineFull(t, { number: bob }, 'caller-refused');
  t.is(statuses(await second.messages()).at(-1), 486);
  t.like(secondRecord, {
    called: bob,
    outcome: 'busy',
    outcome_reason: 'channel-limit',
    failure_code: 486,
  });
  t.deepEqual(await carolPhone.messages(), []);
});

test('channels: 1 — a second call on the line is forwarded on busy when set', async (t) => {
  const { second, secondRecord, carolPhone } = await lineFull(
    t,
    { number: bob, forwarding: { enabled: true, when: ['busy'], slots: [carol], target: 1 } },
    'caller',
  );
  await succeeded(t, carolPhone);
  t.true(statuses(await second.messages()).includes(181));
  t.is(received(await carolPhone.messages(), 'INVITE').length, 1);
  t.like(secondRecord, {
    called: bob,
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: carol,
    // The record is bob's (the number dialled), on bob's line, not carol's.
    access_line_code: 'N900000000',
  });
});
