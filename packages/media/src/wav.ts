// RIFF/WAVE files: 16-bit PCM, µ-law (format 7) or A-law (format 6), mono. Enough for the
// prompts we ship and for tests; anything else is refused with what is wrong named.
import { decodeAlaw, decodeMulaw } from './g711.ts';

export class WavError extends Error {
  override name = 'WavError';
}

export interface Wav {
  sampleRate: number;
  samples: Int16Array;
}

export interface ReadWavOptions {
  /** Refuse any other rate (the prompts must be 8000 Hz). */
  sampleRate?: number;
}

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const formatNames: Record<number, string> = {
  [FORMAT_PCM]: 'PCM',
  [FORMAT_ALAW]: 'A-law',
  [FORMAT_MULAW]: 'µ-law',
  3: 'IEEE float',
  2: 'MS ADPCM',
  0x11: 'IMA ADPCM',
  0x55: 'MP3',
};

interface Format {
  code: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export function readWav(buf: Buffer, options: ReadWavOptions = {}): Wav {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF')
    throw new WavError('not a WAV file: no RIFF header');
  if (buf.toString('latin1', 8, 12) !== 'WAVE')
    throw new WavError('not a WAV file: RIFF type is not WAVE');
  let format: Format | undefined;
  let data: Buffer | undefined;
  // Chunks follow one another, each padded to an even length (RIFF).
  for (let at = 12; at + 8 <= buf.length;) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(at + 8 + size, buf.length));
    if (id === 'fmt ') format = readFormat(body);
    else if (id === 'data') data = body;
    at += 8 + size + (size % 2);
  }
  if (!format) throw new WavError('WAV has no fmt chunk');
  if (!data) throw new WavError('WAV has no data chunk');
  if (format.channels !== 1)
    throw new WavError(`WAV is not mono: it has ${format.channels} channels`);
  if (options.sampleRate !== undefined && format.sampleRate !== options.sampleRate)
    throw new WavError(`WAV is ${format.sampleRate} Hz, expected ${options.sampleRate} Hz`);
  return { sampleRate: format.sampleRate, samples: decodeData(format, data) };
}

function readFormat(body: Buffer): Format {
  if (body.length < 16) throw new WavError('WAV fmt chunk is too short');
  let code = body.readUInt16LE(0);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
  if (code === FORMAT_EXTENSIBLE && body.length >= 26) code = body.readUInt16LE(24);
  return {
    code,
    channels: body.readUInt16LE(2),
    sampleRate: body.readUInt32LE(4),
    bitsPerSample: body.readUInt16LE(14),
  };
}

function decodeData(format: Format, data: Buffer): Int16Array {
  switch (format.code) {
    case FORMAT_PCM: {
      if (format.bitsPerSample !== 16)
        throw new WavError(`WAV PCM is ${format.bitsPerSample}-bit, expected 16-bit`);
      const samples = new Int16Array(data.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      return samples;
    }
    case FORMAT_MULAW:
    case FORMAT_ALAW:
      if (format.bitsPerSample !== 8)
        throw new WavError(
          `WAV ${formatNames[format.code]} is ${format.bitsPerSample}-bit, expected 8-bit`,
        );
      return format.code === FORMAT_MULAW ? decodeMulaw(data) : decodeAlaw(data);
    default:
      throw new WavError(
        `WAV format ${formatNames[format.code] ?? format.code} is not supported ` +
          '(expected 16-bit PCM, µ-law or A-law)',
      );
  }
}

/** A 16-bit PCM mono WAV file. */
export function writeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataSize = samples.length * 2;
  const buf = Buffer.alloc(44 + dataSize);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataSize, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataSize, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] as number, 44 + i * 2);
  return buf;
}
