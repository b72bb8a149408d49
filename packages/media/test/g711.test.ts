import test from 'ava';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../src/index.ts';

const everyInt16 = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

test('known code points (G.711 tables)', (t) => {
  const pcm = Int16Array.from([0, -1, 32767, -32768, 8, 1000, -1000]);
  t.deepEqual([...encodeMulaw(pcm)], [0xff, 0x7f, 0x80, 0x00, 0xfe, 0xce, 0x4e]);
  t.deepEqual([...encodeAlaw(pcm)], [0xd5, 0x55, 0xaa, 0x2a, 0xd5, 0xfa, 0x7a]);
  t.deepEqual(
    [...decodeMulaw(Buffer.from([0xff, 0x7f, 0x80, 0x00, 0xfe]))],
    [0, 0, 32124, -32124, 8],
  );
  t.deepEqual([...decodeAlaw(Buffer.from([0xd5, 0x55, 0xaa, 0x2a]))], [8, -8, 32256, -32256]);
});

test('µ-law round trip stays within half a step of every int16 (clipping above 32635)', (t) => {
  const back = decodeMulaw(encodeMulaw(everyInt16));
  let worst = 0;
  for (const [i, x] of everyInt16.entries()) {
    const error = Math.abs(x - (back[i] as number));
    // Half the step of x's segment is at most (|x| + 132) / 32.
    if (error > (Math.abs(x) + 132) / 32) return t.fail(`${x} came back as ${back[i]}`);
    worst = Math.max(worst, error);
  }
  t.is(worst, 32768 - 32124); // -32768, clipped
});

test('A-law round trip stays within half a step of every int16', (t) => {
  const back = decodeAlaw(encodeAlaw(everyInt16));
  for (const [i, x] of everyInt16.entries()) {
    const error = Math.abs(x - (back[i] as number));
    if (error > Math.max(8, Math.abs(x) / 32)) return t.fail(`${x} came back as ${back[i]}`);
  }
  t.pass();
});

test('decoding then encoding gives every A-law byte back', (t) => {
  t.deepEqual(encodeAlaw(decodeAlaw(everyByte)), everyByte);
});

test('decoding then encoding gives every µ-law byte back, negative zero as zero', (t) => {
  // 0x7F is µ-law's negative zero: it decodes to 0, whose code word is 0xFF.
  const expected = Buffer.from(everyByte);
  expected[0x7f] = 0xff;
  t.deepEqual(encodeMulaw(decodeMulaw(everyByte)), expected);
});

test('decoding is monotonic in the code word within each sign', (t) => {
  const mu = decodeMulaw(everyByte);
  const a = decodeAlaw(everyByte);
  // µ-law: 0xFF…0x80 rise from 0 to the top, 0x7F…0x00 fall from 0 to the bottom.
  for (let c = 0xff; c > 0x80; c--) t.true((mu[c - 1] as number) > (mu[c] as number));
  for (let c = 0x7f; c > 0x00; c--) t.true((mu[c - 1] as number) < (mu[c] as number));
  // A-law: with the even bits restored (^0x55), magnitude rises with the code.
  for (let m = 0; m < 127; m++) {
    t.true((a[(0x80 | (m + 1)) ^ 0x55] as number) > (a[(0x80 | m) ^ 0x55] as number));
    t.true((a[(m + 1) ^ 0x55] as number) < (a[m ^ 0x55] as number));
  }
});
