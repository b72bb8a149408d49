import test from 'ava';
import { performance } from 'node:perf_hooks';
import {
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  loadPrompts,
  MediaEngine,
  promptFromSamples,
  type MediaClock,
  type Prompt,
} from '../src/index.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { offerTo, testPortRange, UdpReceiver } from './helpers/udp-receiver.ts';

const prompts = loadPrompts();
const engineOn = (o: { clock?: MediaClock } = {}) =>
  new MediaEngine({
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    ...testPortRange(2000),
    ...o,
  });

for (const [codec, payloads, payloadType] of [
  ['PCMU', '0 8', 0],
  ['PCMA', '8 0', 8],
] as const) {
  test(`a ${codec} prompt arrives whole, in order, paced in real time`, async (t) => {
    const receiver = await UdpReceiver.open();
    t.teardown(() => receiver.close());
    const session = await engineOn().open(offerTo(receiver.port, payloads));
    if (!session) return t.fail('no session');
    t.teardown(() => session.close());
    t.is(session.codec, codec);
    const prompt = prompts.get('nuisance-blocked', 'ja');
    const frames = Math.ceil(prompt.samples.length / 160);

    const started = performance.now();
    t.is(await session.play(prompt), 'done');
    const tookMs = performance.now() - started;
    await receiver.received(frames);

    const packets = receiver.packets;
    t.is(packets.length, frames);
    t.is(session.packetsSent, frames);
    const first = packets[0];
    if (!first) return t.fail();
    for (const [i, p] of packets.entries()) {
      t.is(p.version, 2);
      t.is(p.payloadType, payloadType);
      t.is(p.marker, i === 0, `marker of packet ${i}`);
      t.is(p.ssrc, first.ssrc);
      t.is(p.sequenceNumber, (first.sequenceNumber + i) & 0xffff);
      t.is(p.timestamp, (first.timestamp + i * 160) >>> 0);
      t.is(p.payload.length, 160);
    }
    const payload = Buffer.concat(packets.map((p) => p.payload));
    const decode = codec === 'PCMU' ? decodeMulaw : decodeAlaw;
    const roundTrip = decode(
      codec === 'PCMU' ? encodeMulaw(prompt.samples) : encodeAlaw(prompt.samples),
    );
    t.deepEqual(decode(payload.subarray(0, prompt.samples.length)), roundTrip);
    // The last frame is padded with the code word of silence.
    const silence = codec === 'PCMU' ? 0xff : 0xd5;
    t.true(payload.subarray(prompt.samples.length).every((b) => b === silence));
    // Only a lower bound: a busy machine may be slower, never faster.
    t.true(tookMs >= 0.9 * prompt.durationMs, `took ${tookMs} ms for ${prompt.durationMs} ms`);
  });
}

test('stop() ends a play early: it resolves stopped and nothing is sent after', async (t) => {
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn().open(offerTo(receiver.port));
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  const prompt = prompts.get('anonymous-rejected', 'en');
  const playing = session.play(prompt);
  await receiver.received(10);
  session.stop();
  t.is(await playing, 'stopped');
  t.false(session.playing);
  const sent = session.packetsSent;
  t.true(sent < prompt.samples.length / 160);
  await new Promise((resolve) => setTimeout(resolve, 200)); // nothing to wait on: a quiet spell
  t.is(session.packetsSent, sent);
  t.is(receiver.packets.length, sent);
});

test('a second play continues the stream: same SSRC, next sequence number, marker again', async (t) => {
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn().open(offerTo(receiver.port));
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  const short = shortPrompt(5);
  t.is(await session.play(short), 'done');
  t.is(await session.play(short), 'done');
  await receiver.received(10);
  const [a, b] = [receiver.packets[4], receiver.packets[5]];
  if (!a || !b) return t.fail();
  t.is(b.ssrc, a.ssrc);
  t.is(b.sequenceNumber, (a.sequenceNumber + 1) & 0xffff);
  t.true(b.marker);
  t.true((b.timestamp - a.timestamp) >>> 0 >= 160);
});

test('close() stops a play, is idempotent, and a play after it resolves stopped', async (t) => {
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn().open(offerTo(receiver.port));
  if (!session) return t.fail('no session');
  const playing = session.play(prompts.get('nuisance-blocked', 'en'));
  session.close();
  session.close();
  t.is(await playing, 'stopped');
  t.is(await session.play(shortPrompt(1)), 'stopped');
});

test('packets follow absolute deadlines; when the loop is late the overdue ones go at once', async (t) => {
  const clock = new ManualClock();
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn({ clock }).open(offerTo(receiver.port));
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  let result: string | undefined;
  void session.play(shortPrompt(10)).then((r) => (result = r));
  t.is(session.packetsSent, 1, 'the first packet goes at once');
  clock.advance(19);
  t.is(session.packetsSent, 1);
  clock.advance(1);
  t.is(session.packetsSent, 2);
  clock.advance(125); // a stall: packets due at 40 … 140 ms are overdue
  t.is(session.packetsSent, 8);
  clock.advance(35); // 180 ms: the tenth and last packet is due
  t.is(session.packetsSent, 10);
  await Promise.resolve();
  t.is(result, undefined, 'the last frame is still playing');
  clock.advance(20);
  await Promise.resolve();
  t.is(result, 'done');
  t.is(clock.pending, 0);
  await receiver.received(10);
  t.deepEqual(
    receiver.packets.map((p) => p.marker),
    [true, false, false, false, false, false, false, false, false, false],
  );
});

test('a list of prompts plays back to back as one stream: no gap, one marker', async (t) => {
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn().open(offerTo(receiver.port));
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  const a = promptFromSamples(Int16Array.from({ length: 250 }, (_, i) => (i % 7) * 300));
  const b = promptFromSamples(Int16Array.from({ length: 330 }, (_, i) => -(i % 5) * 400));
  t.is(await session.play([a, b]), 'done');
  const frames = Math.ceil((250 + 330) / 160);
  await receiver.received(frames);
  const packets = receiver.packets;
  t.is(packets.length, frames);
  const first = packets[0];
  if (!first) return t.fail();
  for (const [i, p] of packets.entries()) {
    t.is(p.sequenceNumber, (first.sequenceNumber + i) & 0xffff);
    t.is(p.timestamp, (first.timestamp + i * 160) >>> 0);
    t.is(p.marker, i === 0);
  }
  const payload = Buffer.concat(packets.map((p) => p.payload));
  t.deepEqual(payload.subarray(0, 580), Buffer.concat([a.pcmu, b.pcmu]));
  t.true(payload.subarray(580).every((byte) => byte === 0xff));
  t.is(await session.play([]), 'done');
});

test('a prompt plays while a recording goes on; stop() ends both', async (t) => {
  const receiver = await UdpReceiver.open();
  t.teardown(() => receiver.close());
  const session = await engineOn().open(offerTo(receiver.port), { direction: 'sendrecv' });
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  const recording = session.record({ maxMs: 10_000 });
  t.is(await session.play(shortPrompt(2)), 'done');
  t.true(session.recording);
  const playing = session.play(shortPrompt(50));
  session.stop();
  t.is(await playing, 'stopped');
  t.like(await recording, { endedBy: 'stopped' });
});

/** `frames` frames of a quiet tone, as a prompt. */
function shortPrompt(frames: number): Prompt {
  return promptFromSamples(
    Int16Array.from({ length: frames * 160 }, (_, i) => Math.round(1000 * Math.sin(i))),
  );
}
