import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countPrompts,
  decodeAlaw,
  decodeMulaw,
  guidances,
  promptFromSamples,
  voicemailPrompts,
  loadPrompts,
  PromptError,
  promptLanguages,
  promptsDir,
  readWav,
  voicedMs,
  writeWav,
} from '../src/index.ts';

const library = loadPrompts();

for (const language of promptLanguages) {
  for (const guidance of guidances) {
    test(`${language}/${guidance} is 8 kHz speech of 1-8 s, encoded both ways`, (t) => {
      const prompt = library.get(guidance, language);
      t.is(prompt.name, guidance);
      t.is(prompt.language, language);
      const wav = readWav(readFileSync(join(promptsDir, language, `${guidance}.wav`)));
      t.is(wav.sampleRate, 8000);
      t.deepEqual(prompt.samples, wav.samples);
      t.is(prompt.durationMs, (wav.samples.length * 1000) / 8000);
      const voiced = voicedMs(prompt.samples);
      t.true(voiced >= 1000 && voiced <= 8000, `voiced ${voiced} ms`);
      t.true(voiced < prompt.durationMs);
      // Ends trimmed to about 100 ms of silence: neither clipped speech nor long gaps.
      const edge = 0.3 * 8000;
      t.true(voicedMs(prompt.samples.subarray(0, 400)) <= 100, 'silence at the start');
      t.true(voicedMs(prompt.samples.subarray(-400)) <= 100, 'silence at the end');
      t.true(voicedMs(prompt.samples.subarray(0, edge)) > 0, 'speech within 300 ms of the start');
      t.true(voicedMs(prompt.samples.subarray(-edge)) > 0, 'speech within 300 ms of the end');
      t.deepEqual(prompt.pcmu.length, prompt.samples.length);
      t.deepEqual(decodeMulaw(prompt.pcmu).length, prompt.samples.length);
      t.deepEqual(decodeAlaw(prompt.pcma).length, prompt.samples.length);
    });
  }
}

for (const language of promptLanguages) {
  for (const name of voicemailPrompts) {
    test(`${language}/${name} loads: 8 kHz, short, ends trimmed`, (t) => {
      const prompt = library.get(name, language);
      t.is(prompt.name, name);
      t.is(prompt.language, language);
      const voiced = voicedMs(prompt.samples);
      if (name === 'beep') {
        t.is(prompt.durationMs, 400);
        t.is(voiced, 400);
        // 1 kHz at a peak of -12 dBFS: 8230 or so, and 2 zero crossings a millisecond.
        const peak = prompt.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
        t.true(Math.abs(peak - 32767 * 10 ** (-12 / 20)) < 100, `peak ${peak}`);
        let crossings = 0;
        for (let i = 1; i < prompt.samples.length; i++)
          if ((prompt.samples[i - 1] as number) < 0 !== (prompt.samples[i] as number) < 0)
            crossings++;
        t.true(Math.abs(crossings - 800) <= 4, `${crossings} zero crossings`);
        return;
      }
      // A lone いち is short: its final i is devoiced, leaving some 160 ms above -40 dBFS.
      const least = name.startsWith('num-') ? 150 : 200;
      t.true(voiced >= least && voiced <= 8000, `voiced ${voiced} ms`);
      const edge = 0.3 * 8000;
      t.true(voicedMs(prompt.samples.subarray(0, 400)) <= 100, 'silence at the start');
      t.true(voicedMs(prompt.samples.subarray(-400)) <= 100, 'silence at the end');
      t.true(voicedMs(prompt.samples.subarray(0, edge)) > 0, 'speech within 300 ms of the start');
      t.true(voicedMs(prompt.samples.subarray(-edge)) > 0, 'speech within 300 ms of the end');
    });
  }
}

test('countPrompts: 0-20 as one word, larger counts digit by digit', (t) => {
  const names = (n: number, language: 'ja' | 'en') =>
    countPrompts(n, language, library).map((p) => `${p.language}/${p.name}`);
  t.deepEqual(names(0, 'ja'), ['ja/num-0']);
  t.deepEqual(names(7, 'en'), ['en/num-7']);
  t.deepEqual(names(20, 'ja'), ['ja/num-20']);
  t.deepEqual(names(35, 'en'), ['en/num-3', 'en/num-5']);
  t.deepEqual(names(105, 'ja'), ['ja/num-1', 'ja/num-0', 'ja/num-5']);
  t.is(countPrompts(7, 'ja')[0], countPrompts(7, 'ja')[0], 'the shipped library, loaded once');
  t.throws(() => countPrompts(-1, 'ja'), { instanceOf: PromptError });
  t.throws(() => countPrompts(1.5, 'ja'), { instanceOf: PromptError });
});

test('promptFromSamples makes a playable prompt of a greeting', (t) => {
  const samples = Int16Array.from({ length: 800 }, (_, i) => (i % 2 ? 1000 : -1000));
  const prompt = promptFromSamples(samples);
  t.like(prompt, { name: 'custom', language: undefined, durationMs: 100 });
  t.deepEqual(decodeMulaw(prompt.pcmu).length, 800);
  t.deepEqual(decodeAlaw(prompt.pcma).length, 800);
  t.is(promptFromSamples(samples, 'greeting-42').name, 'greeting-42');
});

test('a missing prompt fails loading, naming the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvoice-prompts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(promptsDir, dir, { recursive: true });
  rmSync(join(dir, 'en', 'nuisance-blocked.wav'));
  const err = t.throws(() => loadPrompts(dir), { instanceOf: PromptError });
  t.is(err?.message, `prompt ${join(dir, 'en', 'nuisance-blocked.wav')}: missing`);
});

test('a prompt that is not 8 kHz fails loading, naming the file and the rate', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvoice-prompts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(promptsDir, dir, { recursive: true });
  const file = join(dir, 'ja', 'outgoing-restricted.wav');
  writeFileSync(file, writeWav(new Int16Array(1600), 16000));
  t.throws(() => loadPrompts(dir), {
    message: `prompt ${file}: WAV is 16000 Hz, expected 8000 Hz`,
  });
});

test('voicedMs counts the 20 ms frames above -40 dBFS', (t) => {
  const tone = (ms: number, amplitude: number) =>
    Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(amplitude * Math.sin(i / 3)));
  const joined = (...parts: Int16Array[]) => {
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  // -40 dBFS RMS is about 328; a sine of amplitude A has RMS A/√2.
  t.is(voicedMs(joined(tone(200, 0), tone(500, 8000), tone(300, 100), tone(100, 2000))), 600);
  t.is(voicedMs(new Int16Array(8000)), 0);
  t.is(voicedMs(tone(1000, 8000), 8000), 1000);
  t.is(
    voicedMs(
      Int16Array.from({ length: 16000 }, () => 5000),
      16000,
    ),
    1000,
  );
});
