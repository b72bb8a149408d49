// SPEC §5 through the real server: a refusal plays its spoken guidance as early media — 183
// with an SDP answer, RTP to the caller's offer until the prompt ends, then the final response.
// The test's own RTP receiver stands where the caller's media would be; what arrived is
// decoded and measured against the shipped prompt (packages/media/prompts).
import test from 'ava';
import {
  CallLab,
  extraHeaders,
  received,
  statuses,
  succeeded,
  type LineSpec,
} from '../../helpers/calls.ts';
import { checkAnnouncement, lastPacketSentBy, RtpReceiver } from '../../helpers/rtp.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';

/** alice refuses withheld callers; bob blocks `outside`; bob may not call abroad. */
const lines: LineSpec[] = [
  {
    numbers: [
      { number: alice, subscriptions: ['anonymous_rejection'] },
      {
        number: bob,
        subscriptions: ['nuisance_blocking'],
        nuisanceBlocking: { numbers: [outside] },
        internationalBarring: { enabled: true },
      },
    ],
  },
];

/** A carrier's withheld call: anonymous From, the real number asserted, `Privacy: id`. */
const withheld = {
  from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
  ...extraHeaders(
    `P-Asserted-Identity: <sip:${outside}@carrier.example;user=phone>`,
    'Privacy: id',
  ),
};

async function receiver(t: import('ava').ExecutionContext): Promise<RtpReceiver> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  return rtp;
}

test('anonymous rejection: 183, the Japanese guidance over PCMU, then 433', async (t) => {
  const lab = await CallLab.start({ lines });
  t.teardown(() => lab.dispose());
  const rtp = await receiver(t);
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller-screened', {
    caller: outside,
    callee: alice,
    vars: { ...withheld, rtp_port: String(rtp.port), pt: '0', codec: 'PCMU' },
  });

  await succeeded(t, caller);
  await checkAnnouncement(t, {
    messages: await caller.messages(),
    receiver: rtp,
    payloadType: 0,
    language: 'ja',
    prompt: 'anonymous-rejected',
    finalStatus: 433,
  });
  t.like(await lab.record(await caller.callId()), {
    outcome: 'rejected',
    outcome_reason: 'anonymous-rejected',
    failure_code: 433,
  });
  t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'alice was rung');
});

test('international barring: Accept-Language en, PCMA — the English guidance, then 403', async (t) => {
  const lab = await CallLab.start({ lines });
  t.teardown(() => lab.dispose());
  const rtp = await receiver(t);
  const trunk = await lab.outboundTrunk('01012125550100', 'phone-answer');
  const caller = await lab.subscriberCall({
    caller: bob,
    callee: '01012125550100',
    scenario: 'phone-call-refused',
    vars: {
      ...extraHeaders('Accept-Language: en'),
      rtp_port: String(rtp.port),
      pt: '8',
      codec: 'PCMA',
    },
  });

  await succeeded(t, caller);
  await checkAnnouncement(t, {
    messages: await caller.messages(),
    receiver: rtp,
    payloadType: 8,
    language: 'en',
    prompt: 'international-barred',
    finalStatus: 403,
  });
  t.like(await lab.record(await caller.callId()), {
    outcome: 'rejected',
    outcome_reason: 'international-barred',
    failure_code: 403,
  });
  t.deepEqual(await trunk.messages(), [], 'the call reached the outbound trunk');
});

test('announcements.language en in the configuration: the English nuisance guidance', async (t) => {
  const lab = await CallLab.start({ lines, env: { IPVOICE_ANNOUNCEMENTS__LANGUAGE: 'en' } });
  t.teardown(() => lab.dispose());
  const rtp = await receiver(t);
  const phone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller-screened', {
    caller: outside,
    callee: bob,
    vars: {
      from: `<sip:${outside}@carrier.example;user=phone>`,
      ...extraHeaders(),
      rtp_port: String(rtp.port),
      pt: '0',
      codec: 'PCMU',
    },
  });

  await succeeded(t, caller);
  await checkAnnouncement(t, {
    messages: await caller.messages(),
    receiver: rtp,
    payloadType: 0,
    language: 'en',
    prompt: 'nuisance-blocked',
    finalStatus: 603,
  });
  t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'bob was rung');
});

test('no SDP in the INVITE: the final response comes without a 183', async (t) => {
  const lab = await CallLab.start({ lines });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller-screened-nosdp', {
    caller: outside,
    callee: alice,
    vars: withheld,
  });

  await succeeded(t, caller);
  const codes = statuses(await caller.messages());
  t.is(codes.at(-1), 433);
  t.false(codes.includes(183), `responses: ${codes.join(' ')}`);
  t.like(await lab.record(await caller.callId()), {
    outcome: 'rejected',
    outcome_reason: 'anonymous-rejected',
    failure_code: 433,
  });
  t.deepEqual(received(await phone.messages(), 'INVITE'), []);
});

test('a CANCEL during the guidance: 200 for it, 487 for the INVITE, the audio stops', async (t) => {
  const lab = await CallLab.start({ lines });
  t.teardown(() => lab.dispose());
  const rtp = await receiver(t);
  const caller = await lab.trunkCall('caller-screened-cancel', {
    caller: outside,
    callee: alice,
    vars: { ...withheld, rtp_port: String(rtp.port), pt: '0', codec: 'PCMU' },
  });

  await succeeded(t, caller);
  const messages = await caller.messages();
  const codes = statuses(messages);
  t.true(codes.includes(183));
  t.false(codes.includes(433), 'the guidance ran to its end despite the CANCEL');
  const terminated = messages.find((m) => m.direction === 'received' && m.status === 487);
  const packets = await rtp.settled(300);
  t.true(packets.length > 0, 'no RTP before the CANCEL');
  const end = lastPacketSentBy(packets);
  t.true(
    end <= (terminated?.at ?? 0) + 50,
    `the last packet was due ${end - (terminated?.at ?? 0)} ms after the 487`,
  );
  // The whole prompt is ~5 s of speech; it was cut after ~0.5 s.
  t.true(packets.length < 100, `${packets.length} packets: the prompt was not cut short`);
});
