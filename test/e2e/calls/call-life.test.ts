// The life of a call through the B2BUA, each test with its own server: parallel ringing of
// one number's devices, number forms in the Request-URI, early media, INFO and UPDATE within
// the call, what is refused before routing (100rel, Max-Forwards 0), RFC 4028 session expiry,
// and requests for dialogs the server does not know.
import test from 'ava';
import {
  CallLab,
  callScenario,
  received,
  statuses,
  succeeded,
  type TracedMessage,
} from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';

/** A trunk call whose scenario takes keywords beyond caller and callee (uri, hops). */
function trunkCallWith(lab: CallLab, scenario: string, vars: Record<string, string>) {
  const port = lab.trunkPorts[0];
  if (port === undefined) throw new Error('no inbound trunk');
  return lab.sipp({
    scenario: callScenario(scenario),
    target: lab.server.target,
    transport: 'u1',
    sipPort: port,
    vars: { caller: outside, ...vars },
    pauseMs: 200,
    timeoutMs: 30_000,
  });
}

/** The responses a SIPp received for its `method` request (by CSeq), in order. */
function responsesTo(messages: readonly TracedMessage[], method: string): TracedMessage[] {
  return messages.filter(
    (m) =>
      m.direction === 'received' &&
      m.status !== undefined &&
      m.header('CSeq')?.split(/\s+/)[1] === method,
  );
}

function sent(messages: readonly TracedMessage[], method: string): TracedMessage[] {
  return messages.filter((m) => m.direction === 'sent' && m.method === method);
}

async function aliceLab(): Promise<CallLab> {
  return CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
}

test('two devices of one number ring at once: one answers, the ringing one is cancelled', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const ringing = await lab.phone(alice, 'phone-ring');
  const answering = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, answering, ringing);
  t.is(received(await ringing.messages(), 'INVITE').length, 1);
  t.is(received(await answering.messages(), 'INVITE').length, 1);
  // RFC 3261 §16.7 step 10 in spirit: the answer ends the other branch with a CANCEL.
  t.is(received(await ringing.messages(), 'CANCEL').length, 1);
  t.deepEqual(received(await answering.messages(), 'CANCEL'), []);
  const answers = responsesTo(await caller.messages(), 'INVITE').filter((m) => m.status === 200);
  t.is(answers.length, 1);
  const record = await lab.record(await caller.callId());
  t.like(record, { called: alice, outcome: 'answered', forwarded_to: null });
  t.truthy(record.answered_at);
});

for (const { form, uri } of [
  {
    form: 'a SIP URI user +81-3-9999-0001',
    uri: (lab: CallLab) => `sip:+81-3-9999-0001@${lab.server.target};user=phone`,
  },
  { form: 'a tel URI +81399990001', uri: () => 'tel:+81399990001' },
]) {
  test(`${form} reaches the national number 0399990001`, async (t) => {
    const national = '0399990001';
    const lab = await CallLab.start({ lines: [{ numbers: [{ number: national }] }] });
    t.teardown(() => lab.dispose());
    const phone = await lab.phone(national, 'phone-answer');
    const caller = await trunkCallWith(lab, 'caller-uri', { uri: uri(lab) });

    await succeeded(t, caller, phone);
    t.regex(sent(await caller.messages(), 'INVITE')[0]?.startLine ?? '', /^INVITE (sip|tel):\+81/);
    const [invite] = received(await phone.messages(), 'INVITE');
    t.regex(invite?.header('To') ?? '', new RegExp(`sip:${national}@`));
    t.like(await lab.record(await caller.callId()), { called: national, outcome: 'answered' });
  });
}

test("early media: the phone's 183 reaches the caller with the same SDP, before the 200", async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-early-media');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  const [offered] = (await phone.messages()).filter(
    (m) => m.direction === 'sent' && m.status === 183,
  );
  const seen = responsesTo(await caller.messages(), 'INVITE');
  const progress = seen.find((m) => m.status === 183);
  t.regex(offered?.body ?? '', /^m=audio \d+ RTP\/AVP 0 101$/m);
  t.is(progress?.body, offered?.body);
  t.regex(progress?.header('Content-Type') ?? '', /^application\/sdp/i);
  const order = seen.map((m) => m.status);
  t.true(order.indexOf(183) >= 0 && order.indexOf(183) < order.indexOf(200), order.join(' '));
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});

test('INFO and UPDATE within the call reach the phone with their bodies; 200s come back', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-info-update');
  const caller = await lab.trunkCall('caller-info-update', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  const callerSaw = await caller.messages();
  const phoneSaw = await phone.messages();
  for (const method of ['INFO', 'UPDATE']) {
    const [out] = sent(callerSaw, method);
    const got = received(phoneSaw, method);
    t.is(got.length, 1, method);
    t.is(got[0]?.body, out?.body, method);
    t.is(got[0]?.header('Content-Type'), out?.header('Content-Type'), method);
    t.deepEqual(
      responsesTo(callerSaw, method).map((m) => m.status),
      [200],
      method,
    );
  }
  t.regex(received(phoneSaw, 'INFO')[0]?.body ?? '', /^Signal=5$/m);
  // The UPDATE's answer is the phone's, passed back untouched.
  const [phoneAnswer] = phoneSaw.filter(
    (m) => m.direction === 'sent' && m.status === 200 && m.header('CSeq')?.endsWith(' UPDATE'),
  );
  t.regex(phoneAnswer?.body ?? '', /^a=recvonly$/m);
  t.is(responsesTo(callerSaw, 'UPDATE')[0]?.body, phoneAnswer?.body);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});

test('an INVITE requiring 100rel is refused 420 with Unsupported: 100rel; no phone rings', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller-100rel', { caller: outside, callee: alice });

  await succeeded(t, caller);
  const finals = responsesTo(await caller.messages(), 'INVITE').filter(
    (m) => (m.status ?? 0) >= 200,
  );
  t.deepEqual(
    finals.map((m) => m.status),
    [420],
  );
  t.is(finals[0]?.header('Unsupported'), '100rel');
  t.deepEqual(await phone.messages(), [], 'alice was rung');
});

test('Max-Forwards: the caller sends 10, the phone sees 9', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await trunkCallWith(lab, 'caller-hops', { callee: alice, hops: '10' });

  await succeeded(t, caller, phone);
  t.is(sent(await caller.messages(), 'INVITE')[0]?.header('Max-Forwards'), '10');
  t.is(received(await phone.messages(), 'INVITE')[0]?.header('Max-Forwards'), '9');
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});

test('Max-Forwards: 0 is refused 483 and no phone rings', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await trunkCallWith(lab, 'caller-hops', { callee: alice, hops: '0' });

  await succeeded(t, caller);
  t.deepEqual(
    statuses(await caller.messages()).filter((s) => s >= 200),
    [483],
  );
  t.deepEqual(await phone.messages(), [], 'alice was rung');
});

/** Seconds from one traced message to another (the same SIPp's clock). */
function secondsBetween(from: TracedMessage | undefined, to: TracedMessage | undefined): number {
  return ((to?.at ?? Number.NaN) - (from?.at ?? Number.NaN)) / 1000;
}

test('session timer: a 3 s session nobody refreshes is ended with BYE to both sides', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-session-timer');
  const caller = await lab.trunkCall('caller-session-timer', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  const callerSaw = await caller.messages();
  const phoneSaw = await phone.messages();
  // RFC 4028 §9: the phone may require the timer only because the caller supports it.
  t.regex(received(phoneSaw, 'INVITE')[0]?.header('Supported') ?? '', /\btimer\b/);
  const answer = responsesTo(callerSaw, 'INVITE').find((m) => m.status === 200);
  t.is(answer?.header('Session-Expires'), '3;refresher=uac');
  t.regex(answer?.header('Require') ?? '', /\btimer\b/);

  // The server's rule: the whole interval plus 2 s, counted from the answer.
  const [callerBye] = received(callerSaw, 'BYE');
  const [phoneBye] = received(phoneSaw, 'BYE');
  const phoneAnswer = phoneSaw.find((m) => m.direction === 'sent' && m.status === 200);
  for (const [side, seconds] of [
    ['caller', secondsBetween(answer, callerBye)],
    ['phone', secondsBetween(phoneAnswer, phoneBye)],
  ] as const)
    t.true(seconds >= 4.5 && seconds <= 6.5, `${side} got the BYE after ${seconds} s`);
  for (const bye of [callerBye, phoneBye])
    t.regex(bye?.header('Reason') ?? '', /text="session-expired"/);
  t.is(lab.logsWith('session timer expired').length, 1);

  const record = await lab.record(await caller.callId());
  t.like(record, { called: alice, outcome: 'answered' });
  const talked = (Date.parse(record.ended_at) - Date.parse(record.answered_at ?? '')) / 1000;
  t.true(talked >= 4.5 && talked <= 6.5, `recorded ${talked} s of talk`);
});

test('a BYE for a dialog that never existed gets 481 and reaches no phone', async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const stray = await lab.trunkCall('caller-unknown-dialog', { caller: outside, callee: alice });

  await succeeded(t, stray);
  t.deepEqual(statuses(await stray.messages()), [481]);
  t.deepEqual(await phone.messages(), [], 'alice got the BYE');
});

test("a BYE with the call's Call-ID but a To tag never given gets 481; the call goes on", async (t) => {
  const lab = await aliceLab();
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller-stray-bye', {
    caller: outside,
    callee: alice,
  });

  await succeeded(t, caller, phone);
  t.deepEqual(
    responsesTo(await caller.messages(), 'BYE').map((m) => m.status),
    [481, 200],
  );
  // Only the real BYE crossed to the phone.
  t.is(received(await phone.messages(), 'BYE').length, 1);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});
