// SPEC §3.11 deposit through the real server: a call forwarded to `voicemail` is answered
// (200 with a sendrecv SDP answer), hears the greeting and the beep on the test's RTP receiver,
// and what the caller's SIPp sends (SIPp's g711a.pcap) is stored as a WAV file with a row in
// voicemail_messages; the stored audio is measured against the capture, decoded here.
import test, { type ExecutionContext } from 'ava';
import { voicedMs } from '@ipvoice/media';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CallLab,
  received,
  statuses,
  succeeded,
  type ForwardingSpec,
  type TracedMessage,
  type VoicemailSpec,
} from '../../helpers/calls.ts';
import { pcapAudio, sippPcapDir } from '../../helpers/pcap.ts';
import { announcementAnswer, lastPacketSentBy, RtpReceiver } from '../../helpers/rtp.ts';
import {
  awaitMessages,
  playedSequence,
  promptMs,
  promptProbes,
  promptSamples,
  readPcmWav,
  receivedBytes,
  scenarioWithSteps,
  silencePcap,
  voicedEnergyDb,
  voicemailDir,
  voicemailMessages,
} from '../../helpers/voicemail.ts';

const outside = '0312000001';
const alice = '0355550001';

const toVoicemail = (when: ForwardingSpec['when']): ForwardingSpec => ({
  enabled: true,
  when,
  ringTime: 5,
  slots: [null],
  target: 'voicemail',
});

async function voicemailLab(
  t: ExecutionContext,
  box: VoicemailSpec,
  when: ForwardingSpec['when'] = 'unconditional',
): Promise<CallLab> {
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            subscriptions: ['voicemail'],
            voicemail: box,
            forwarding: toVoicemail(when),
          },
        ],
      },
    ],
  });
  t.teardown(() => lab.dispose());
  return lab;
}

async function receiver(t: ExecutionContext): Promise<RtpReceiver> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  return rtp;
}

/** How long the caller waits after the answer before speaking: greeting, beep and a second. */
async function greetingWaitMs(): Promise<number> {
  return (await promptMs('ja', 'vm-greeting')) + (await promptMs('ja', 'beep')) + 1000;
}

/** The server's 200 for the INVITE: SDP answer sendrecv, PCMA first, telephone-event kept. */
function checkAnswer(t: ExecutionContext, messages: readonly TracedMessage[]): void {
  const ok = messages.find((m) => m.direction === 'received' && m.status === 200);
  t.truthy(ok, 'no 200 for the INVITE');
  const answer = announcementAnswer(ok?.body ?? '');
  t.truthy(answer, `no m=audio in the 200's SDP:\n${ok?.body}`);
  t.is(answer?.connection, '127.0.0.1');
  t.is(answer?.payloadTypes[0], 8, 'the caller offered PCMA first');
  t.true(answer?.payloadTypes.includes(101), 'telephone-event 101 not echoed');
  t.regex(ok?.body ?? '', /^a=rtpmap:101 telephone-event\/8000/m);
  t.is(answer?.direction ?? 'sendrecv', 'sendrecv');
}

/** The voiced length of greeting + beep, as shipped (ja). */
async function greetingVoicedMs(): Promise<number> {
  return (
    voicedMs(await promptSamples('ja', 'vm-greeting'), 8000) +
    voicedMs(await promptSamples('ja', 'beep'), 8000)
  );
}

test('no answer for 5 s: greeting and beep, the caller speaks and hangs up, the message is stored', async (t) => {
  t.timeout(90_000);
  const lab = await voicemailLab(t, { guidance: 'record', maxMessages: 20 }, ['noAnswer']);
  const rtp = await receiver(t);
  const phone = await lab.phone(alice, 'phone-ring');
  const caller = await lab.trunkCall('vm-caller-message', {
    caller: outside,
    callee: alice,
    talkMs: await greetingWaitMs(),
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  const messages = await caller.messages();
  checkAnswer(t, messages);
  // alice rang for the ring time, then was given up.
  t.is(received(await phone.messages(), 'CANCEL').length, 1);

  // What the caller heard: the greeting, then the beep, and nothing voiced after them.
  const heard = playedSequence(
    receivedBytes(rtp),
    await promptProbes('ja', ['vm-greeting', 'beep', 'vm-recorded']),
  );
  t.deepEqual(heard, ['vm-greeting', 'beep']);
  const voiced = voicedMs(rtp.samples(), 8000);
  const expected = await greetingVoicedMs();
  t.true(
    voiced >= expected * 0.9 && voiced <= expected * 1.1,
    `voiced ${voiced} ms of ${expected} ms`,
  );

  const [message] = await awaitMessages(lab, alice, 1);
  t.truthy(message, 'no row in voicemail_messages');
  if (!message) return;
  t.like(message, {
    caller: outside,
    called: alice,
    status: 'new',
    call_id: await caller.callId(),
  });
  t.regex(message.received_at, /^\d{4}-\d{2}-\d{2}T/);

  // SPEC §3.11 storage: <dataDir>/voicemail/<number>/<id>.wav, 8 kHz 16-bit mono.
  const file = join(voicemailDir(lab), alice, `${message.id}.wav`);
  await t.notThrowsAsync(access(file), `no ${file}`);
  t.is(join(voicemailDir(lab), message.audio_file), file);
  const wav = await readPcmWav(file);
  t.like(wav, { sampleRate: 8000, channels: 1, bitsPerSample: 16 });
  t.is(message.duration_ms, Math.round((wav.samples.length / 8000) * 1000));

  // The stored audio is what the capture holds: as long voiced (±20 %), as loud (±3 dB).
  const spoken = await pcapAudio(join(sippPcapDir, 'g711a.pcap'));
  const storedVoiced = voicedMs(wav.samples, 8000);
  const spokenVoiced = voicedMs(spoken.samples, 8000);
  t.true(
    storedVoiced >= spokenVoiced * 0.8 && storedVoiced <= spokenVoiced * 1.2,
    `stored ${storedVoiced} ms voiced, the capture ${spokenVoiced} ms`,
  );
  const level = voicedEnergyDb(wav.samples) - voicedEnergyDb(spoken.samples);
  t.true(Math.abs(level) <= 3, `stored audio ${level.toFixed(1)} dB from the capture's`);
  // From the beep's end to the BYE: the capture and the caller's pauses, not more.
  t.true(
    message.duration_ms >= spoken.durationMs * 0.9 &&
      message.duration_ms <= spoken.durationMs + 4000,
    `duration ${message.duration_ms} ms for a ${spoken.durationMs} ms capture`,
  );
});

test('# ends the recording: the message is kept, vm-recorded is played, then the server hangs up', async (t) => {
  t.timeout(90_000);
  const lab = await voicemailLab(t, { guidance: 'record' });
  const rtp = await receiver(t);
  const caller = await lab.trunkCall('vm-caller-pound', {
    caller: outside,
    callee: alice,
    talkMs: await greetingWaitMs(),
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  const messages = await caller.messages();
  checkAnswer(t, messages);
  const bye = received(messages, 'BYE')[0];
  t.truthy(bye, 'the server sent no BYE');

  const packets = await rtp.settled(300);
  const heard = playedSequence(
    receivedBytes(rtp),
    await promptProbes('ja', ['vm-greeting', 'beep', 'vm-recorded']),
  );
  t.deepEqual(heard, ['vm-greeting', 'beep', 'vm-recorded']);
  const end = lastPacketSentBy(packets);
  t.true(end <= (bye?.at ?? 0) + 50, `RTP went on ${end - (bye?.at ?? 0)} ms after the BYE`);

  const [message] = await awaitMessages(lab, alice, 1);
  t.like(message, { caller: outside, called: alice, status: 'new' });
  const spoken = await pcapAudio(join(sippPcapDir, 'g711a.pcap'));
  const wav = await readPcmWav(join(voicemailDir(lab), alice, `${message?.id}.wav`));
  const storedVoiced = voicedMs(wav.samples, 8000);
  const spokenVoiced = voicedMs(spoken.samples, 8000);
  t.true(
    storedVoiced >= spokenVoiced * 0.8 && storedVoiced <= spokenVoiced * 1.2,
    `stored ${storedVoiced} ms voiced, the capture ${spokenVoiced} ms`,
  );
  // The recording stopped at the key, not 5 s of silence later.
  t.true(
    (message?.duration_ms ?? 0) <= spoken.durationMs + 3000,
    `duration ${message?.duration_ms} ms: the # did not end it`,
  );
});

test('announce only: the announce-only greeting, no beep, the server hangs up, nothing stored', async (t) => {
  t.timeout(60_000);
  const lab = await voicemailLab(t, { guidance: 'announce_only' });
  const rtp = await receiver(t);
  const caller = await lab.trunkCall('vm-caller-listen', {
    caller: outside,
    callee: alice,
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  checkAnswer(t, await caller.messages());
  await rtp.settled(300);
  const heard = playedSequence(
    receivedBytes(rtp),
    await promptProbes('ja', ['vm-greeting', 'vm-greeting-announce-only', 'beep', 'vm-recorded']),
  );
  t.deepEqual(heard, ['vm-greeting-announce-only']);
  // The BYE came after the greeting: whatever a deposit would have stored is there by now.
  t.deepEqual(voicemailMessages(lab, alice), []);
});

test('a full box (maxMessages 1): the second caller hears the greeting and vm-box-full, nothing more is stored', async (t) => {
  t.timeout(120_000);
  const lab = await voicemailLab(t, { guidance: 'record', maxMessages: 1 });
  const first = await lab.trunkCall('vm-caller-message', {
    caller: outside,
    callee: alice,
    talkMs: await greetingWaitMs(),
    vars: { rtp_port: String((await receiver(t)).port) },
  });
  await succeeded(t, first);
  const [kept] = await awaitMessages(lab, alice, 1);
  t.truthy(kept, 'the first call left no message');

  const rtp = await receiver(t);
  const second = await lab.trunkCall('vm-caller-listen', {
    caller: '0312000002',
    callee: alice,
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, second);
  checkAnswer(t, await second.messages());
  await rtp.settled(300);
  const heard = playedSequence(
    receivedBytes(rtp),
    await promptProbes('ja', ['vm-greeting', 'vm-box-full', 'beep', 'vm-recorded']),
  );
  t.deepEqual(heard, ['vm-greeting', 'vm-box-full']);
  t.deepEqual(
    voicemailMessages(lab, alice).map((m) => m.id),
    [kept?.id],
  );
});

test('a caller who sends only silence: 5 s of it end the recording, vm-recorded, BYE, nothing kept', async (t) => {
  t.timeout(60_000);
  const lab = await voicemailLab(t, { guidance: 'record' });
  const rtp = await receiver(t);
  // The phone sends silent audio from the answer on, longer than greeting + beep + 5 s.
  const silence = join(lab.dir, 'silence.pcap');
  const waitMs = (await promptMs('ja', 'vm-greeting')) + (await promptMs('ja', 'beep'));
  await writeFile(silence, silencePcap(waitMs + 12_000));
  const caller = await lab.sipp({
    scenario: await scenarioWithSteps(
      lab,
      'vm-caller-listen',
      `  <nop><action><exec play_pcap_audio="${silence}"/></action></nop>`,
    ),
    target: lab.server.target,
    transport: 'u1',
    sipPort: lab.trunkPorts[0] as number,
    vars: { caller: outside, callee: alice, rtp_port: String(rtp.port) },
    timeoutMs: 40_000,
  });
  await succeeded(t, caller);
  const messages = await caller.messages();
  const ack = messages.find((m) => m.direction === 'sent' && m.method === 'ACK');
  const bye = received(messages, 'BYE')[0];
  const heard = playedSequence(
    receivedBytes(rtp),
    await promptProbes('ja', ['vm-greeting', 'beep', 'vm-recorded']),
  );
  t.deepEqual(heard, ['vm-greeting', 'beep', 'vm-recorded']);
  // Greeting and beep, 5 s of silence, vm-recorded: the BYE no sooner.
  const least = waitMs + 5000 + (await promptMs('ja', 'vm-recorded'));
  const took = (bye?.at ?? 0) - (ack?.at ?? 0);
  t.true(
    took >= least * 0.95 && took <= least + 4000,
    `BYE ${took} ms after the ACK, expected ~${least}`,
  );
  t.deepEqual(voicemailMessages(lab, alice), []);
  t.false(
    statuses(messages).some((s) => s >= 300),
    'a failure response',
  );
});
