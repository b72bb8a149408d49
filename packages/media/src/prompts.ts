// The spoken guidance played as early media before a refusal (SPEC §5) and the voicemail
// prompts (SPEC §3.11), one WAV per name and language under prompts/, read and encoded to both
// G.711 laws once at load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAlaw, encodeMulaw } from './g711.ts';
import { isVoiced } from './levels.ts';
import { readWav } from './wav.ts';

import { guidances, type Guidance } from '@ipvoice/features';

// The decision core names the guidances (its refusal plans carry them); one prompt each.
export { guidances, type Guidance };

/** The voicemail prompts (SPEC §3.11): guidance, the numbers a count is read with, the tone. */
export const voicemailPrompts = [
  'vm-greeting',
  'vm-greeting-announce-only',
  'vm-box-full',
  'vm-recorded',
  'vm-enter-box',
  'vm-enter-pin',
  'vm-wrong-pin',
  'vm-locked',
  'vm-new-before',
  'vm-new-after',
  'vm-saved-before',
  'vm-saved-after',
  'vm-main-menu',
  'vm-message-menu',
  'vm-deleted',
  'vm-no-more',
  'vm-record-greeting',
  'vm-greeting-saved',
  'vm-invalid',
  'vm-goodbye',
  'num-0',
  'num-1',
  'num-2',
  'num-3',
  'num-4',
  'num-5',
  'num-6',
  'num-7',
  'num-8',
  'num-9',
  'num-10',
  'num-11',
  'num-12',
  'num-13',
  'num-14',
  'num-15',
  'num-16',
  'num-17',
  'num-18',
  'num-19',
  'num-20',
  'beep',
] as const;
export type VoicemailPrompt = (typeof voicemailPrompts)[number];

/** Every prompt shipped, in both languages. */
export type PromptName = Guidance | VoicemailPrompt;
export const promptNames: readonly PromptName[] = [...guidances, ...voicemailPrompts];

/** The largest count read as one word; above it, digit by digit. */
const LARGEST_NUMBER_PROMPT = 20;

export const promptLanguages = ['ja', 'en'] as const;
export type PromptLanguage = (typeof promptLanguages)[number];

/** Every prompt is 8 kHz: the G.711 rate, so no resampling on the way out. */
export const PROMPT_SAMPLE_RATE = 8000;

export interface Prompt {
  /** A PromptName for shipped prompts; what promptFromSamples was given otherwise. */
  name: string;
  /** Undefined for audio not shipped with the package (a subscriber's own greeting). */
  language: PromptLanguage | undefined;
  samples: Int16Array;
  durationMs: number;
  /** The samples µ-law encoded, for PCMU sessions. */
  pcmu: Buffer;
  /** The samples A-law encoded, for PCMA sessions. */
  pcma: Buffer;
}

export interface PromptLibrary {
  get(name: PromptName, language: PromptLanguage): Prompt;
}

/** The prompts shipped with this package (absolute). */
export const promptsDir = fileURLToPath(new URL('../prompts/', import.meta.url));

export class PromptError extends Error {
  override name = 'PromptError';
}

/** Reads `<dir>/<language>/<name>.wav` for every prompt and language; throws naming the file. */
export function loadPrompts(dir: string = promptsDir): PromptLibrary {
  const prompts = new Map<string, Prompt>();
  for (const language of promptLanguages) {
    for (const name of promptNames) {
      const file = join(dir, language, `${name}.wav`);
      let samples: Int16Array;
      try {
        samples = readWav(readFileSync(file), { sampleRate: PROMPT_SAMPLE_RATE }).samples;
      } catch (err) {
        const reason =
          (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message;
        throw new PromptError(`prompt ${file}: ${reason}`, { cause: err });
      }
      if (samples.length === 0) throw new PromptError(`prompt ${file}: no audio`);
      prompts.set(`${language}/${name}`, { ...promptFromSamples(samples, name), language });
    }
  }
  return {
    get(name, language) {
      const prompt = prompts.get(`${language}/${name}`);
      // Only reachable by bypassing the types: every pair was loaded above.
      if (!prompt) throw new PromptError(`no prompt ${language}/${name}`);
      return prompt;
    },
  };
}

/** 8 kHz samples (a subscriber's greeting read from WAV, a recording) as a playable prompt. */
export function promptFromSamples(samples: Int16Array, name = 'custom'): Prompt {
  return {
    name,
    language: undefined,
    samples,
    durationMs: (samples.length * 1000) / PROMPT_SAMPLE_RATE,
    pcmu: encodeMulaw(samples),
    pcma: encodeAlaw(samples),
  };
}

/**
 * A count read out: 0-20 as one word (num-N), larger counts digit by digit ("3 5" for 35),
 * which is how both languages' menus can say any number with 21 files.
 */
export function countPrompts(
  n: number,
  language: PromptLanguage,
  library: PromptLibrary = shippedPrompts(),
): Prompt[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new PromptError(`cannot read out ${n} as a count`);
  const words = n <= LARGEST_NUMBER_PROMPT ? [n] : [...String(n)].map(Number);
  // Every w is 0-20 here, so the name is one of voicemailPrompts.
  return words.map((w) => library.get(`num-${w}` as VoicemailPrompt, language));
}

let shipped: PromptLibrary | undefined;
/** The package's own prompts, loaded on first use and kept. */
function shippedPrompts(): PromptLibrary {
  shipped ??= loadPrompts();
  return shipped;
}

/**
 * How long the audio is not silent: the summed length of the 20 ms frames whose RMS is above
 * -40 dBFS. Lets a test compare what arrived over RTP with the prompt that was sent.
 */
export function voicedMs(samples: Int16Array, sampleRate = PROMPT_SAMPLE_RATE): number {
  const frame = Math.round(sampleRate / 50);
  let voicedSamples = 0;
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(start + frame, samples.length);
    if (isVoiced(samples, start, end)) voicedSamples += end - start;
  }
  return (voicedSamples * 1000) / sampleRate;
}
