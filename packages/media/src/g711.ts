// ITU-T G.711 companding between 16-bit linear PCM and 8-bit µ-law (PCMU) / A-law (PCMA).
// G.711 works on 14-bit (µ-law) and 13-bit (A-law) magnitudes; here both run on 16-bit samples
// with the segment end points scaled to match, so the code words are G.711's own.

/** µ-law works on |x| + 132 (the bias puts the segment ends on powers of two), clipped at 32635. */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;
/** G.711 Table 2a: upper end of each µ-law segment, biased, in 16-bit units. */
const mulawSegmentEnds = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff] as const;
/** G.711 Table 1a: upper end of each A-law segment in 16-bit units (the first two share a step). */
const alawSegmentEnds = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff] as const;

function segmentOf(value: number, ends: readonly number[]): number {
  let segment = 0;
  while (segment < ends.length - 1 && value > (ends[segment] as number)) segment++;
  return segment;
}

/** One 16-bit sample to its µ-law code word (0 → 0xFF). */
export function mulawByte(sample: number): number {
  let magnitude = sample;
  let sign = 0;
  if (magnitude < 0) {
    sign = 0x80;
    magnitude = -magnitude;
  }
  magnitude = Math.min(magnitude, MULAW_CLIP) + MULAW_BIAS;
  const segment = segmentOf(magnitude, mulawSegmentEnds);
  const step = (magnitude >> (segment + 3)) & 0x0f;
  // G.711 §4.2: µ-law code words are sent with every bit inverted.
  return ~(sign | (segment << 4) | step) & 0xff;
}

/** One A-law code word from a 16-bit sample (0 → 0xD5). */
export function alawByte(sample: number): number {
  // A-law has no zero code: -1 … -16 share the first negative step, 0 … 15 the first positive
  // one; the ones' complement of a negative sample lines both sides up.
  const positive = sample >= 0;
  const magnitude = positive ? sample : -sample - 1;
  const segment = segmentOf(magnitude, alawSegmentEnds);
  const step = segment === 0 ? (magnitude >> 4) & 0x0f : (magnitude >> (segment + 3)) & 0x0f;
  // G.711 §3.2: the sign bit is 1 for positive values, and the even bits are inverted (0x55).
  return ((positive ? 0x80 : 0) | (segment << 4) | step) ^ 0x55;
}

function mulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  // The middle of the step: ((step·8 + bias) << segment) - bias.
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << segment) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const segment = (a >> 4) & 0x07;
  const step = (a & 0x0f) << 4;
  // The middle of the step; segments 0 and 1 have the same step size (G.711 Table 1a).
  const magnitude = segment === 0 ? step + 8 : (step + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const mulawDecodeTable = Int16Array.from({ length: 256 }, (_, i) => mulawToLinear(i));
const alawDecodeTable = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));

/** µ-law silence (the code word of 0), used to pad a last partial frame. */
export const MULAW_SILENCE = 0xff;
/** A-law silence (the code word of 0 … 15). */
export const ALAW_SILENCE = 0xd5;

export function encodeMulaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = mulawByte(pcm[i] as number);
  return out;
}

export function encodeAlaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = alawByte(pcm[i] as number);
  return out;
}

export function decodeMulaw(buf: Uint8Array): Int16Array {
  const out = new Int16Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = mulawDecodeTable[buf[i] as number] as number;
  return out;
}

export function decodeAlaw(buf: Uint8Array): Int16Array {
  const out = new Int16Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = alawDecodeTable[buf[i] as number] as number;
  return out;
}
