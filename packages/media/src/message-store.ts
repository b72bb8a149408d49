// Voicemail audio on disk (SPEC §3.11): one WAV per message and one per custom greeting,
// under the configured store directory; the feature server and the REST API share it. A file is written to a temporary name, flushed and
// renamed, so a crash never leaves half a message under its real name.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { PROMPT_SAMPLE_RATE } from './prompts.ts';
import { readWav, writeWav } from './wav.ts';

export class MessageStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Stores a message; returns its path relative to the store. */
  saveMessage(number: string, id: string, samples: Int16Array): Promise<string> {
    return this.#write(join(number, `${id}.wav`), samples);
  }

  /** Stores a box's own greeting, replacing the previous one; returns its relative path. */
  saveGreeting(number: string, samples: Int16Array): Promise<string> {
    return this.#write(join(number, `greeting-${Date.now()}.wav`), samples);
  }

  /** The absolute path of a stored file (for e-mail attachments). */
  path(relative: string): string {
    const full = normalize(join(this.#dir, relative));
    // Paths come from our own database rows; still, never leave the store.
    if (!full.startsWith(normalize(this.#dir) + sep))
      throw new Error(`${relative} is outside the store`);
    return full;
  }

  async read(relative: string): Promise<Int16Array> {
    return readWav(await readFile(this.path(relative)), { sampleRate: PROMPT_SAMPLE_RATE }).samples;
  }

  async remove(relative: string): Promise<void> {
    await rm(this.path(relative), { force: true });
  }

  async #write(relative: string, samples: Int16Array): Promise<string> {
    const target = this.path(relative);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(writeWav(samples, PROMPT_SAMPLE_RATE));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
    return relative;
  }
}
