// The spoken guidance played as early media before a refusal (SPEC §5), one WAV per guidance
// and language under prompts/, read and encoded to both G.711 laws once at load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAlaw, encodeMulaw } from './g711.ts';
import { readWav } from './wav.ts';

import { guidances, type Guidance } from '@ipvoice/features';

// The decision core names the guidances (its refusal plans carry them); one prompt each.
export { guidances, type Guidance };

export const promptLanguages = ['ja', 'en'] as const;
export type PromptLanguage = (typeof promptLanguages)[number];

/** Every prompt is 8 kHz: the G.711 rate, so no resampling on the way out. */
export const PROMPT_SAMPLE_RATE = 8000;

export interface Prompt {
  guidance: Guidance;
  language: PromptLanguage;
  samples: Int16Array;
  durationMs: number;
  /** The samples µ-law encoded, for PCMU sessions. */
  pcmu: Buffer;
  /** The samples A-law encoded, for PCMA sessions. */
  pcma: Buffer;
}

export interface PromptLibrary {
  get(guidance: Guidance, language: PromptLanguage): Prompt;
}

/** The prompts shipped with this package (absolute). */
export const promptsDir = fileURLToPath(new URL('../prompts/', import.meta.url));

export class PromptError extends Error {
  override name = 'PromptError';
}

/** Reads `<dir>/<language>/<guidance>.wav` for every guidance and language; throws naming the file. */
export function loadPrompts(dir: string = promptsDir): PromptLibrary {
  const prompts = new Map<string, Prompt>();
  for (const language of promptLanguages) {
    for (const guidance of guidances) {
      const file = join(dir, language, `${guidance}.wav`);
      let samples: Int16Array;
      try {
        samples = readWav(readFileSync(file), { sampleRate: PROMPT_SAMPLE_RATE }).samples;
      } catch (err) {
        const reason =
          (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message;
        throw new PromptError(`prompt ${file}: ${reason}`, { cause: err });
      }
      if (samples.length === 0) throw new PromptError(`prompt ${file}: no audio`);
      prompts.set(`${language}/${guidance}`, {
        guidance,
        language,
        samples,
        durationMs: (samples.length * 1000) / PROMPT_SAMPLE_RATE,
        pcmu: encodeMulaw(samples),
        pcma: encodeAlaw(samples),
      });
    }
  }
  return {
    get(guidance, language) {
      const prompt = prompts.get(`${language}/${guidance}`);
      // Only reachable by bypassing the types: every pair was loaded above.
      if (!prompt) throw new PromptError(`no prompt ${language}/${guidance}`);
      return prompt;
    },
  };
}

/** Frames quieter than this RMS count as silence: -40 dBFS. */
const SILENCE_RMS = 32768 * 10 ** (-40 / 20);

/**
 * How long the audio is not silent: the summed length of the 20 ms frames whose RMS is above
 * -40 dBFS. Lets a test compare what arrived over RTP with the prompt that was sent.
 */
export function voicedMs(samples: Int16Array, sampleRate = PROMPT_SAMPLE_RATE): number {
  const frame = Math.round(sampleRate / 50);
  let voicedSamples = 0;
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(start + frame, samples.length);
    let sumOfSquares = 0;
    for (let i = start; i < end; i++) {
      const s = samples[i] as number;
      sumOfSquares += s * s;
    }
    if (Math.sqrt(sumOfSquares / (end - start)) > SILENCE_RMS) voicedSamples += end - start;
  }
  return (voicedSamples * 1000) / sampleRate;
}
