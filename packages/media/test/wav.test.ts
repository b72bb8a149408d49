import test from 'ava';
import { encodeAlaw, encodeMulaw, readWav, WavError, writeWav } from '../src/index.ts';

const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234, -4321]);

/** A WAV file by hand: fmt fields as given, then the data chunk. */
function wavFile(
  fmt: { code: number; channels: number; rate: number; bits: number },
  data: Buffer,
) {
  const header = Buffer.alloc(36);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(28 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(fmt.code, 20);
  header.writeUInt16LE(fmt.channels, 22);
  header.writeUInt32LE(fmt.rate, 24);
  header.writeUInt32LE((fmt.rate * fmt.channels * fmt.bits) / 8, 28);
  header.writeUInt16LE((fmt.channels * fmt.bits) / 8, 32);
  header.writeUInt16LE(fmt.bits, 34);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, dataHeader, data]);
}

test('writeWav then readWav gives the samples and rate back', (t) => {
  const wav = readWav(writeWav(samples, 8000));
  t.is(wav.sampleRate, 8000);
  t.deepEqual(wav.samples, samples);
  t.is(writeWav(samples, 8000).length, 44 + samples.length * 2);
});

test('µ-law and A-law WAV files are decoded', (t) => {
  const mu = readWav(wavFile({ code: 7, channels: 1, rate: 8000, bits: 8 }, encodeMulaw(samples)));
  t.deepEqual([...mu.samples.subarray(0, 3)], [0, 0, 0]);
  const a = readWav(wavFile({ code: 6, channels: 1, rate: 8000, bits: 8 }, encodeAlaw(samples)));
  t.deepEqual([...a.samples.subarray(0, 3)], [8, 8, -8]);
});

test('chunks before fmt and data are skipped, odd sizes padded', (t) => {
  const plain = writeWav(samples, 16000);
  const list = Buffer.concat([
    Buffer.from('LIST', 'latin1'),
    Buffer.from([3, 0, 0, 0, 1, 2, 3, 0]),
  ]);
  const withList = Buffer.concat([plain.subarray(0, 12), list, plain.subarray(12)]);
  t.deepEqual(readWav(withList), { sampleRate: 16000, samples });
});

test('what is wrong is named', (t) => {
  const pcm = (over: Partial<{ code: number; channels: number; rate: number; bits: number }>) =>
    wavFile({ code: 1, channels: 1, rate: 8000, bits: 16, ...over }, Buffer.alloc(8));
  const cases: Array<[Buffer, string]> = [
    [Buffer.from('hello, not a sound'), 'not a WAV file: no RIFF header'],
    [Buffer.from('RIFF\0\0\0\0AVI LIST'), 'not a WAV file: RIFF type is not WAVE'],
    [writeWav(samples, 8000).subarray(0, 36), 'WAV has no data chunk'],
    [pcm({ channels: 2 }), 'WAV is not mono: it has 2 channels'],
    [pcm({ bits: 8 }), 'WAV PCM is 8-bit, expected 16-bit'],
    [
      pcm({ code: 3, bits: 32 }),
      'WAV format IEEE float is not supported (expected 16-bit PCM, µ-law or A-law)',
    ],
    [pcm({ code: 7, bits: 16 }), 'WAV µ-law is 16-bit, expected 8-bit'],
  ];
  for (const [buf, message] of cases)
    t.throws(() => readWav(buf), { instanceOf: WavError, message });
  const noFmt = Buffer.concat([
    writeWav(samples, 8000).subarray(0, 12),
    writeWav(samples, 8000).subarray(36),
  ]);
  t.throws(() => readWav(noFmt), { message: 'WAV has no fmt chunk' });
});

test('a required sample rate is checked', (t) => {
  t.notThrows(() => readWav(writeWav(samples, 8000), { sampleRate: 8000 }));
  t.throws(() => readWav(writeWav(samples, 16000), { sampleRate: 8000 }), {
    message: 'WAV is 16000 Hz, expected 8000 Hz',
  });
});
