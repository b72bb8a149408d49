import test from 'ava';
import {
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  RecordError,
  voicedMs,
} from '../src/index.ts';
import { Recorder, type Recording } from '../src/recorder.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { dtmfPackets, pcmuPackets, rtp, tone } from './helpers/rtp-from-caller.ts';
import { digits, twoWayCall } from './helpers/two-way-call.ts';

/** What a PCMU round trip makes of `samples`: the audio a perfect recording holds. */
const overPcmu = (samples: Int16Array) => decodeMulaw(encodeMulaw(samples));
const energy = (samples: Int16Array) => samples.reduce((sum, s) => sum + s * s, 0);

test('2 s of tone then silence: ends by silence with the 2 s, trailing silence trimmed', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 60_000, silenceMs: 500 });
  const spoken = tone(2000);
  await send(
    ...pcmuPackets(spoken, 90_000),
    ...pcmuPackets(new Int16Array(8 * 1000), 106_000, 100),
  );
  const r = await recording;
  t.is(r.endedBy, 'silence');
  t.is(r.durationMs, 2000);
  t.is(r.samples.length, 16000);
  t.deepEqual(r.samples, overPcmu(spoken));
  t.true(Math.abs(energy(r.samples) / energy(spoken) - 1) < 0.01);
  t.false(session.recording);
});

test("ends by '#' (RFC 4733) with what came before it; the digit reaches listeners too", async (t) => {
  const { session, send } = await twoWayCall(t);
  const heard = digits(session, 1);
  const recording = session.record({ maxMs: 60_000, silenceMs: 5000 });
  const spoken = tone(1000, 6000, 300);
  await send(...pcmuPackets(spoken, 0), ...dtmfPackets('#', 8000, 50));
  t.like(await recording, { endedBy: 'dtmf', digit: '#', durationMs: 1000 });
  t.deepEqual((await recording).samples, overPcmu(spoken));
  t.is(await heard, '#');
});

test('a digit not in endDigits does not end it; injectDtmf of an end digit does', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 60_000, endDigits: '*0' });
  const five = digits(session, 1);
  await send(...pcmuPackets(tone(500), 0), ...dtmfPackets('5', 4000, 25));
  await five;
  t.true(session.recording);
  session.injectDtmf('0');
  t.like(await recording, { endedBy: 'dtmf', digit: '0', durationMs: 500 });
});

test('ends at maxMs of audio, keeping exactly that much', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 1000, silenceMs: 3000 });
  const spoken = tone(2000);
  await send(...pcmuPackets(spoken, 5000));
  const r = await recording;
  t.is(r.endedBy, 'max');
  t.is(r.durationMs, 1000);
  t.deepEqual(r.samples, overPcmu(spoken.subarray(0, 8000)));
});

test('stop() ends it as stopped, keeping the audio received (a caller who hung up)', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 60_000, silenceMs: 5000 });
  const marker = digits(session, 1);
  const spoken = tone(800);
  // The '5' after the audio tells when the audio has been read.
  await send(...pcmuPackets(spoken, 0), ...dtmfPackets('5', 6400, 40));
  await marker;
  session.stop();
  const r = await recording;
  t.like(r, { endedBy: 'stopped', durationMs: 800 });
  t.deepEqual(r.samples, overPcmu(spoken));
});

test('close() and stopRecording() end it as stopped too', async (t) => {
  const { session } = await twoWayCall(t);
  const first = session.record({ maxMs: 10_000 });
  session.stopRecording();
  t.like(await first, { endedBy: 'stopped', durationMs: 0 });
  const second = session.record({ maxMs: 10_000 });
  session.close();
  t.like(await second, { endedBy: 'stopped' });
  t.like(await session.record({ maxMs: 10_000 }), { endedBy: 'stopped' });
});

test('packets that stop entirely: silence ends it on the clock', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 60_000, silenceMs: 300 });
  const spoken = tone(600);
  await send(...pcmuPackets(spoken, 0));
  const r = await recording;
  t.like(r, { endedBy: 'silence', durationMs: 600 });
  t.deepEqual(r.samples, overPcmu(spoken));
});

test('a gap in timestamps is silence; a late packet fills its place; duplicates are dropped', async (t) => {
  const { session, send } = await twoWayCall(t);
  const recording = session.record({ maxMs: 60_000, silenceMs: 5000 });
  const spoken = tone(200);
  const packets = pcmuPackets(spoken, 1000);
  const [p4, p5] = [packets[4], packets[5]];
  if (!p4 || !p5) return t.fail();
  const loud = pcmuPackets(tone(20, 20000, 1000), 1000 + 2 * 160);
  const mark = digits(session, 1);
  await send(
    ...packets.filter((p) => p !== p4 && p !== p5),
    p5, // late: after packets 6-9
    ...packets.filter((p) => p !== p4), // every packet again, 4 still lost
    ...loud, // another payload for frame 2: a duplicate by timestamp, dropped
    ...dtmfPackets('5', 3000, 40),
  );
  await mark;
  session.stop();
  const r = await recording;
  t.is(r.durationMs, 200);
  const expected = overPcmu(spoken);
  expected.fill(0, 4 * 160, 5 * 160);
  t.deepEqual(r.samples, expected);
});

test('a PCMA session records A-law', async (t) => {
  const { session, send } = await twoWayCall(t, { payloads: '8' });
  t.is(session.codec, 'PCMA');
  const recording = session.record({ maxMs: 500 });
  const spoken = tone(500);
  const payload = encodeAlaw(spoken);
  const packets = Array.from({ length: 25 }, (_, n) =>
    rtp(
      { payloadType: 8, sequenceNumber: n, timestamp: n * 160 },
      payload.subarray(n * 160, (n + 1) * 160),
    ),
  );
  await send(...packets);
  const r = await recording;
  t.like(r, { endedBy: 'max', durationMs: 500 });
  t.deepEqual(r.samples, decodeAlaw(payload));
});

// The recorder alone, on a clock that moves when told.
function recorder(options: ConstructorParameters<typeof Recorder>[0]['options']) {
  const clock = new ManualClock();
  let result: Recording | undefined;
  const r = new Recorder({ options, decode: decodeMulaw, clock, done: (x) => (result = x) });
  const feed = (packets: Buffer[]) => {
    for (const p of packets) r.receive(p.readUInt32BE(4), p.subarray(12));
  };
  return { clock, r, feed, result: () => result };
}

test('no packets at all: silenceMs on the clock ends it, empty; without silenceMs, maxMs', (t) => {
  const quiet = recorder({ maxMs: 3000, silenceMs: 500 });
  quiet.clock.advance(499);
  t.is(quiet.result(), undefined);
  quiet.clock.advance(1);
  t.like(quiet.result(), { endedBy: 'silence', durationMs: 0 });
  t.is(quiet.clock.pending, 0);
  const patient = recorder({ maxMs: 3000 });
  patient.clock.advance(2999);
  t.is(patient.result(), undefined);
  patient.clock.advance(1);
  t.like(patient.result(), { endedBy: 'max', durationMs: 0 });
  t.is(patient.clock.pending, 0);
});

test('the silence timer counts from the last voiced audio, carried on by the clock', (t) => {
  const { clock, feed, result } = recorder({ maxMs: 60_000, silenceMs: 1000 });
  feed(pcmuPackets(tone(400), 0));
  feed(pcmuPackets(new Int16Array(8 * 300), 3200, 20)); // 300 ms of silence received
  clock.advance(699);
  t.is(result(), undefined);
  clock.advance(1);
  t.like(result(), { endedBy: 'silence', durationMs: 400 });
});

test('a gap longer than silenceMs ends it by silence before the packet after it', (t) => {
  const { feed, result } = recorder({ maxMs: 60_000, silenceMs: 1000 });
  feed(pcmuPackets(tone(200), 0));
  feed(pcmuPackets(tone(200), 1600 + 8 * 1000, 50));
  t.like(result(), { endedBy: 'silence', durationMs: 200 });
});

test('a recording never holds more than maxMs, even after a huge timestamp jump', (t) => {
  const { feed, result } = recorder({ maxMs: 2000 });
  feed(pcmuPackets(tone(200), 0));
  feed(pcmuPackets(tone(200), 8 * 3_600_000, 50));
  const r = result();
  t.like(r, { endedBy: 'max', durationMs: 2000 });
  t.is(r?.samples.length, 16000);
  t.is(voicedMs(r?.samples ?? new Int16Array(0)), 200);
});

test('options that cannot end a recording are refused', async (t) => {
  t.throws(() => recorder({ maxMs: 0 }), { instanceOf: RecordError });
  t.throws(() => recorder({ maxMs: 1000, silenceMs: -1 }), { instanceOf: RecordError });
  const { session } = await twoWayCall(t);
  await t.throwsAsync(session.record({ maxMs: Number.NaN }), { instanceOf: RecordError });
});
