import test from 'ava';
import { DtmfReceiver, RETRANSMISSION_WINDOW_MS, UNENDED_EVENT_MS } from '../src/dtmf-receiver.ts';
import { parseRtp } from '../src/index.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { dtmfPackets } from './helpers/rtp-from-caller.ts';
import { digits, twoWayCall } from './helpers/two-way-call.ts';

/** A receiver on a manual clock, and the digits it has reported so far. */
function receiver() {
  const clock = new ManualClock();
  const reported: string[] = [];
  const r = new DtmfReceiver({ clock, report: (d) => reported.push(d) });
  const feed = (packets: Buffer[]) => {
    for (const packet of packets) {
      const rtp = parseRtp(packet);
      if (rtp) r.receive(rtp.timestamp, rtp.payload);
    }
  };
  return { clock, reported, feed, r };
}

test('each event is reported once, on its first end packet, whatever the retransmissions', (t) => {
  const { reported, feed, clock } = receiver();
  const start = dtmfPackets('1', 1000, 0).slice(0, 3);
  const ends = dtmfPackets('1', 1000, 0).slice(3);
  feed(start);
  t.deepEqual(reported, []);
  feed(ends.slice(0, 1));
  t.deepEqual(reported, ['1']);
  feed(ends.slice(1));
  feed(ends); // late duplicates too
  clock.advance(2 * UNENDED_EVENT_MS);
  t.deepEqual(reported, ['1']);
  t.is(clock.pending, 0);
});

test('a press reusing a reported timestamp more than a second later is a new press', (t) => {
  const { reported, feed, clock } = receiver();
  const press = dtmfPackets('#', 4000, 0);
  feed(press);
  clock.advance(RETRANSMISSION_WINDOW_MS - 1);
  feed(press.slice(-1)); // a late end retransmission: the same press
  t.deepEqual(reported, ['#']);
  clock.advance(RETRANSMISSION_WINDOW_MS);
  feed(press); // the sender replays the same timestamps for its next press
  t.deepEqual(reported, ['#', '#']);
});

test('every event code maps to its digit; codes above 15 and short payloads are not DTMF', (t) => {
  const { reported, feed, r } = receiver();
  [...'0123456789*#ABCD'].forEach((d, i) => feed(dtmfPackets(d, 160 * 100 * i, i * 10)));
  t.is(reported.join(''), '0123456789*#ABCD');
  const flash = Buffer.from([16, 0x8a, 0, 80]);
  r.receive(999_999, flash);
  r.receive(999_000, Buffer.from([1, 0x8a]));
  t.is(reported.length, 16);
});

test('an event whose end never comes is reported once, 500 ms after its last packet', (t) => {
  const { reported, feed, clock } = receiver();
  feed(dtmfPackets('5', 8000, 0, { updates: 3, ends: 0 }));
  clock.advance(UNENDED_EVENT_MS - 1);
  t.deepEqual(reported, []);
  clock.advance(1);
  t.deepEqual(reported, ['5']);
  clock.advance(5 * UNENDED_EVENT_MS);
  t.deepEqual(reported, ['5']);
});

test('an event whose end never comes is reported when the next event starts', (t) => {
  const { reported, feed, clock } = receiver();
  feed(dtmfPackets('7', 8000, 0, { ends: 0 }));
  feed(dtmfPackets('8', 9600, 10).slice(0, 1));
  t.deepEqual(reported, ['7']);
  feed(dtmfPackets('8', 9600, 10).slice(1));
  t.deepEqual(reported, ['7', '8']);
  t.is(clock.pending, 0);
});

test('two presses of one key are two events (different timestamps), even across the wrap', (t) => {
  const { reported, feed } = receiver();
  feed(dtmfPackets('3', 2 ** 32 - 800, 0));
  feed(dtmfPackets('3', 800, 10));
  t.deepEqual(reported, ['3', '3']);
});

test('over UDP: 1, 2, # with three end packets each are reported as "12#", once', async (t) => {
  const { session, send } = await twoWayCall(t);
  const all: string[] = [];
  session.onDtmf((d) => all.push(d));
  const got = digits(session, 4);
  await send(
    ...dtmfPackets('1', 16000, 0),
    ...dtmfPackets('2', 24000, 6),
    ...dtmfPackets('#', 32000, 12),
    // A fourth press, so that waiting for it shows every packet before it was read.
    ...dtmfPackets('9', 40000, 18),
  );
  t.is(await got, '12#9');
  t.is(all.join(''), '12#9');
});

test('injectDtmf reaches the same listeners; unsubscribing stops them; non-digits ignored', async (t) => {
  const { session } = await twoWayCall(t);
  const a: string[] = [];
  const b: string[] = [];
  const offA = session.onDtmf((d) => a.push(d));
  session.onDtmf((d) => b.push(d));
  session.injectDtmf('5');
  session.injectDtmf('*');
  offA();
  session.injectDtmf('d');
  session.injectDtmf('x');
  session.injectDtmf('12');
  t.deepEqual(a, ['5', '*']);
  t.deepEqual(b, ['5', '*', 'D']);
});
