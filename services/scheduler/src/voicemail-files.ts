// Voicemail audio nobody points at any more: messages and greetings of deleted numbers (their
// rows cascade away, their files do not), and files left by a deposit that died between
// writing the WAV and its row. Files younger than a day are left alone, so a deposit in
// progress is never mistaken for an orphan.
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, Kysely } from '@ipvoice/db';

const graceMs = 24 * 3600_000;

/** Deletes unreferenced files under `dir` (`<number>/<file>.wav`); returns how many. */
export async function pruneOrphanVoicemailFiles(
  db: Kysely<Database>,
  dir: string,
  now: number,
): Promise<number> {
  const numbers = await readdir(dir, { withFileTypes: true }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    },
  );
  if (numbers.length === 0) return 0;
  const [messages, boxes] = await Promise.all([
    db.selectFrom('voicemail_messages').select('audio_file').execute(),
    db
      .selectFrom('voicemail_boxes')
      .select('greeting_file')
      .where('greeting_file', 'is not', null)
      .execute(),
  ]);
  const referenced = new Set<string>([
    ...messages.map((m) => m.audio_file),
    ...boxes.map((b) => b.greeting_file as string),
  ]);
  let removed = 0;
  for (const entry of numbers) {
    if (!entry.isDirectory()) continue;
    const folder = join(dir, entry.name);
    const files = await readdir(folder);
    let left = files.length;
    for (const file of files) {
      const relative = join(entry.name, file);
      if (referenced.has(relative)) continue;
      const full = join(folder, file);
      if (now - (await stat(full)).mtimeMs < graceMs) continue;
      await rm(full, { force: true });
      removed++;
      left--;
    }
    if (left === 0) await rmdir(folder).catch(() => undefined);
  }
  return removed;
}
