// SPEC §3.9 international barring, §3.10 outgoing call restriction and §3.4 forwarding to a
// special number through the real server: what a subscriber's outgoing call meets (the
// guidance then 403, or the outbound trunk), emergency numbers that always go out, and where
// a forwarded call leaves.
import test from 'ava';
import {
  CallLab,
  extraHeaders,
  received,
  statuses,
  succeeded,
  type NumberSpec,
  type OutgoingCategory,
} from '../../helpers/calls.ts';
import { RtpReceiver } from '../../helpers/rtp.ts';

const outside = '0312000001';
const alice = '0355550001';
const international = '01012125550100';

/** A lab with alice set as told, the outbound trunk answering (its SIPp started). */
async function labFor(
  t: import('ava').ExecutionContext,
  aliceSetting: Omit<NumberSpec, 'number'>,
  dialled: string,
) {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice, ...aliceSetting }] }] });
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk(dialled, 'phone-answer');
  return { lab, trunk };
}

/** alice dials `dialled` and is refused: the guidance (183), 403, a record with `reason`, and
 * nothing at the outbound trunk. */
async function refusedOutgoing(
  t: import('ava').ExecutionContext,
  aliceSetting: Omit<NumberSpec, 'number'>,
  dialled: string,
  reason: string,
): Promise<void> {
  const { lab, trunk } = await labFor(t, aliceSetting, dialled);
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const call = await lab.subscriberCall({
    caller: alice,
    callee: dialled,
    scenario: 'phone-call-refused',
    vars: { ...extraHeaders(), rtp_port: String(rtp.port), pt: '0', codec: 'PCMU' },
  });

  await succeeded(t, call);
  const codes = statuses(await call.messages()).filter((c) => c !== 401);
  t.true(codes.includes(183), `no 183: ${codes.join(' ')}`);
  t.deepEqual(
    codes.filter((c) => c >= 200),
    [403],
  );
  t.true((await rtp.settled(300)).length > 0, 'no guidance was played');
  t.like(await lab.record(await call.callId()), {
    direction: 'outgoing',
    caller: alice,
    outcome: 'rejected',
    outcome_reason: reason,
    failure_code: 403,
  });
  t.deepEqual(await trunk.messages(), [], 'the call reached the outbound trunk');
}

/** alice dials `dialled` and the outbound trunk answers it, the number unchanged. */
async function wentOut(
  t: import('ava').ExecutionContext,
  aliceSetting: Omit<NumberSpec, 'number'>,
  dialled: string,
): Promise<void> {
  const { lab, trunk } = await labFor(t, aliceSetting, dialled);
  const call = await lab.subscriberCall({ caller: alice, callee: dialled });

  await succeeded(t, call, trunk);
  const invites = received(await trunk.messages(), 'INVITE');
  t.is(invites.length, 1);
  t.regex(invites[0]?.startLine ?? '', new RegExp(`^INVITE sip:${dialled}@`));
  t.like(await lab.record(await call.callId()), { caller: alice, outcome: 'answered' });
}

// --- SPEC §3.9 -------------------------------------------------------------------------------

test('international barring: a barred number dialling 010… is refused (403)', (t) =>
  refusedOutgoing(
    t,
    { internationalBarring: { enabled: true } },
    international,
    'international-barred',
  ));

test('without international barring a 010… call goes out through the outbound trunk', (t) =>
  wentOut(t, {}, international));

test('international barring: forwarding to an international target does not happen', async (t) => {
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            internationalBarring: { enabled: true },
            forwarding: { enabled: true, when: 'unconditional', slots: [international], target: 1 },
          },
        ],
      },
    ],
  });
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk(international, 'phone-answer');
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  // The forwarding is not applied: alice herself rings and answers.
  await succeeded(t, caller, phone);
  t.false(statuses(await caller.messages()).includes(181));
  t.deepEqual(await trunk.messages(), [], 'the call was forwarded abroad');
  t.like(await lab.record(await caller.callId()), { outcome: 'answered', forwarded_to: null });
});

// --- SPEC §3.10 ------------------------------------------------------------------------------

const restricted: Array<[OutgoingCategory, string]> = [
  ['international', international],
  ['premium_rate_0990', '0990123456'],
  ['navi_dial_0570', '0570123456'],
  ['all_except_emergency', outside],
];

for (const [category, dialled] of restricted) {
  test(`outgoing restriction ${category}: ${dialled} is refused (403)`, (t) =>
    refusedOutgoing(
      t,
      { outgoingRestriction: { categories: [category] } },
      dialled,
      'outgoing-restricted',
    ));
}

test('outgoing restriction: a category not listed lets the call through', (t) =>
  wentOut(
    t,
    { outgoingRestriction: { categories: ['premium_rate_0990', 'international'] } },
    '0570123456',
  ));

for (const emergency of ['110', '118', '119']) {
  test(`${emergency} goes out despite all_except_emergency and international barring`, (t) =>
    wentOut(
      t,
      {
        outgoingRestriction: { categories: ['all_except_emergency'] },
        internationalBarring: { enabled: true },
      },
      emergency,
    ));
}

// --- SPEC §3.4 -------------------------------------------------------------------------------

const tollFree = '0120123456';

test('forward to a special number, unconditional: 181, out to the 0120 number with Diversion', async (t) => {
  const { lab, trunk } = await labFor(
    t,
    {
      subscriptions: [{ feature: 'special_number_forwarding', number: tollFree }],
      specialNumberForwarding: { enabled: true, when: 'unconditional' },
    },
    tollFree,
  );
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, trunk);
  t.true(statuses(await caller.messages()).includes(181));
  const [invite] = received(await trunk.messages(), 'INVITE');
  t.regex(invite?.startLine ?? '', new RegExp(`^INVITE sip:${tollFree}@`));
  t.regex(invite?.header('Diversion') ?? '', new RegExp(`sip:${alice}@.*reason=unconditional`));
  t.like(await lab.record(await caller.callId()), {
    called: alice,
    outcome: 'forwarded',
    outcome_reason: 'unconditional',
    forwarded_to: tollFree,
  });
  t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'alice was rung');
});

test('forward to a special number on busy: alice answers 486, the call goes to the 0120 number', async (t) => {
  const { lab, trunk } = await labFor(
    t,
    {
      subscriptions: [{ feature: 'special_number_forwarding', number: tollFree }],
      specialNumberForwarding: { enabled: true, when: ['busy', 'noAnswer', 'unreachable'] },
    },
    tollFree,
  );
  const phone = await lab.phone(alice, 'phone-busy');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, phone, trunk);
  t.true(statuses(await caller.messages()).includes(181));
  const [invite] = received(await trunk.messages(), 'INVITE');
  t.regex(invite?.startLine ?? '', new RegExp(`^INVITE sip:${tollFree}@`));
  t.regex(invite?.header('Diversion') ?? '', /reason=user-busy/);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: tollFree,
  });
});
