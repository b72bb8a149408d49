import {
  type Database,
  type ForwardingSetting,
  type Kysely,
  listForwardingSettings,
} from '@ipvoice/db';
import { stringify } from 'csv-stringify/sync';
import type { ForwardingCsvDeps } from './deps.ts';
import { type HeaderLanguage, headerRow, settingToRow } from './format.ts';
import { loadNumberFacts } from './number-facts.ts';
import { claimSites } from './site-lock.ts';

export interface ExportOptions {
  numberIds: readonly number[];
  /** Header (and on/off words) in English (default) or the manual's Japanese. */
  headers?: HeaderLanguage;
}

/**
 * SPEC §4: the current §3.1 setting of each listed number, one row each, sorted by number,
 * UTF-8 with a BOM and CRLF line ends so Excel opens it cleanly. Numbers subscribed to forward
 * to a special number (§3.4) are left out, as the manual's download screen leaves them out;
 * ids that are not numbers are ignored.
 */
export async function exportForwardingCsv(
  db: Kysely<Database>,
  options: ExportOptions,
): Promise<Buffer> {
  const language = options.headers ?? 'en';
  const facts = [...(await loadNumberFacts(db, { ids: options.numberIds })).values()]
    .filter((f) => !f.subscriptions.has('special_number_forwarding'))
    .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  const all = await listSettingsInChunks(
    db,
    facts.map((f) => f.id),
  );
  const rows = facts.map((f) => settingToRow(f.number, all.get(f.id), language));
  return Buffer.from(
    stringify(rows, {
      bom: true,
      header: true,
      columns: headerRow(language),
      record_delimiter: 'windows',
    }),
    'utf8',
  );
}

/** Keeps each IN list well below either dialect's bind-parameter limit. */
async function listSettingsInChunks(
  db: Kysely<Database>,
  ids: number[],
): Promise<Map<number, ForwardingSetting>> {
  const merged = new Map<number, ForwardingSetting>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const [id, s] of await listForwardingSettings(db, ids.slice(i, i + 1000))) {
      merged.set(id, s);
    }
  }
  return merged;
}

/**
 * The download as the API runs it (SPEC §4 conflicts): holds the lock of every site of the
 * listed numbers while it reads, so it is refused (ForwardingCsvConflictError) while a CSV
 * upload, another download or a bulk start/stop runs on one of them, and refuses those meanwhile.
 */
export async function downloadForwardingCsv(
  deps: ForwardingCsvDeps,
  options: ExportOptions & { actor: string; now: Date },
): Promise<Buffer> {
  const facts = await loadNumberFacts(deps.db, { ids: options.numberIds });
  const release = await claimSites(
    deps.state,
    [...facts.values()].map((f) => f.siteId),
    {
      operation: 'csv-download',
      actor: options.actor,
      at: options.now,
      ...(deps.siteLockTtlMs === undefined ? {} : { ttlMs: deps.siteLockTtlMs }),
    },
  );
  try {
    return await exportForwardingCsv(deps.db, options);
  } finally {
    await release();
  }
}
