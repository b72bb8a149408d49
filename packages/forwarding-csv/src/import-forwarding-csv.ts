import {
  type ForwardingSetting,
  findForwardingSetting,
  insertSettingHistory,
  upsertForwardingSetting,
} from '@ipvoice/db';
import { validateForwardingSetting, validateForwardingTarget } from '@ipvoice/features';
import { settingsChangedChannel } from '@ipvoice/state';
import { parse } from 'csv-parse/sync';
import { type CsvEncoding, decodeCsv } from './decode.ts';
import type { ForwardingCsvDeps } from './deps.ts';
import { ForwardingCsvFormatError } from './errors.ts';
import {
  defaultRingTimeSeconds,
  formatMessages,
  HeaderProblem,
  type ParsedRow,
  parseRow,
  readHeader,
} from './format.ts';
import { type NumberFacts, loadNumberFacts } from './number-facts.ts';
import { type UploadRowResult, uploadResultCsv } from './result-csv.ts';
import { claimSites } from './site-lock.ts';

export interface ImportOptions {
  csv: Buffer;
  /** The account uploading, for the history and the site lock. */
  actor: string;
  /** The numbers the account may change (its voice group or site); any other is "not found". */
  scopeNumberIds: ReadonlySet<number> | readonly number[];
  now: Date;
}

export interface ImportResult {
  rows: UploadRowResult[];
  /** Rows accepted (stored, or already exactly so). */
  applied: number;
  failed: number;
  /** Numbers whose stored setting changed (announced on settingsChangedChannel). */
  changed: string[];
  encoding: CsvEncoding;
  /** `line,number,result,reason`, UTF-8 with BOM, for download. */
  resultCsv: Buffer;
}

/** The setting-history feature and action of an uploaded row. */
export const csvUploadHistory = { feature: 'forwarding', action: 'csv_upload' } as const;

export const uploadMessages = {
  notFound: (number: string) => `Number ${number} was not found among the numbers you manage.`,
  duplicate: (number: string, firstLine: number) =>
    `Number ${number} already appears on line ${firstLine}; each number may appear only once, so this row was not applied.`,
  specialForwarding: (number: string) =>
    `Number ${number} forwards to a special number (toll-free/navi-dial); set its forwarding with that service, not by CSV.`,
  saveFailed: 'The setting could not be saved; try this row again.',
} as const;

/**
 * SPEC §4: applies a forwarding CSV. Each row is checked on its own with the §3.1 validators
 * (and their messages) and, when valid, stored in its own transaction with a setting-history
 * row; other rows' errors do not hold it back. The sites of the file's numbers are locked for
 * the whole run (ForwardingCsvConflictError when one is busy); a file that is not a forwarding
 * CSV at all is refused whole (ForwardingCsvFormatError).
 */
export async function importForwardingCsv(
  deps: ForwardingCsvDeps,
  options: ImportOptions,
): Promise<ImportResult> {
  const { db, logger } = deps;
  const { text, encoding } = decodeCsv(options.csv);
  const records = readRecords(text);
  const scope = new Set(options.scopeNumberIds);

  const parsed = records.map(({ line, cells, header }) => ({ line, row: parseRow(cells, header) }));
  const known = await loadNumberFacts(db, {
    numbers: parsed.map((p) => p.row.number).filter((n) => n !== ''),
  });
  const inScope = (n: string): NumberFacts | undefined => {
    const facts = known.get(n);
    return facts !== undefined && scope.has(facts.id) ? facts : undefined;
  };

  const numberIdsBySite = new Map<number, number[]>();
  for (const { row } of parsed) {
    const facts = inScope(row.number);
    if (facts === undefined) continue;
    const ids = numberIdsBySite.get(facts.siteId) ?? [];
    if (!ids.includes(facts.id)) ids.push(facts.id);
    numberIdsBySite.set(facts.siteId, ids);
  }
  const release = await claimSites(deps.state, numberIdsBySite.keys(), {
    operation: 'csv-upload',
    actor: options.actor,
    at: options.now,
    numberIdsBySite,
    ...(deps.siteLockTtlMs === undefined ? {} : { ttlMs: deps.siteLockTtlMs }),
  });
  try {
    const results: UploadRowResult[] = [];
    const changed: string[] = [];
    const firstLine = new Map<string, number>();
    for (const { line, row } of parsed) {
      const refuse = (reason: string) =>
        results.push({ line, number: row.numberText, result: 'error', reason });
      const facts = inScope(row.number);
      if (row.numberText === '') {
        refuse(formatMessages.number);
        continue;
      }
      if (facts === undefined) {
        refuse(uploadMessages.notFound(row.numberText));
        continue;
      }
      const first = firstLine.get(facts.number);
      if (first !== undefined) {
        refuse(uploadMessages.duplicate(row.numberText, first));
        continue;
      }
      firstLine.set(facts.number, line);
      if (facts.subscriptions.has('special_number_forwarding')) {
        refuse(uploadMessages.specialForwarding(row.numberText));
        continue;
      }
      try {
        const outcome = await applyRow(deps, facts, row, options);
        if (outcome.ok) {
          results.push({ line, number: row.numberText, result: 'ok' });
          if (outcome.changed) changed.push(facts.number);
        } else {
          refuse(outcome.reason);
        }
      } catch (err) {
        logger.error({ err, line, number: facts.number }, 'forwarding csv: a row failed to save');
        refuse(uploadMessages.saveFailed);
      }
    }
    await announce(deps, changed);
    const failed = results.filter((r) => r.result === 'error').length;
    logger.info(
      { actor: options.actor, rows: results.length, failed, changed: changed.length, encoding },
      'forwarding csv upload done',
    );
    return {
      rows: results,
      applied: results.length - failed,
      failed,
      changed,
      encoding,
      resultCsv: uploadResultCsv(results),
    };
  } finally {
    await release();
  }
}

interface DataRow {
  line: number;
  cells: string[];
  header: ReturnType<typeof readHeader>;
}

function readRecords(text: string): DataRow[] {
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // CRLF as LF: csv-parse then counts a quoted line break once, so `lines` is the file's line.
    parsed = parse(text.replace(/\r\n?/g, '\n'), {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw new ForwardingCsvFormatError(
      formatMessages.unreadable(err instanceof Error ? err.message : String(err)),
    );
  }
  const [head, ...data] = parsed;
  if (head === undefined) throw new ForwardingCsvFormatError(formatMessages.empty);
  let header: ReturnType<typeof readHeader>;
  try {
    header = readHeader(head.record);
  } catch (err) {
    if (err instanceof HeaderProblem) throw new ForwardingCsvFormatError(err.message);
    throw err;
  }
  return data
    .filter((d) => d.record.some((c) => c.trim() !== ''))
    .map((d) => ({ line: d.info.lines, cells: d.record, header }));
}

type RowOutcome = { ok: true; changed: boolean } | { ok: false; reason: string };

/** Validates one row against its number and, when valid, stores it with its history. */
async function applyRow(
  { db }: ForwardingCsvDeps,
  facts: NumberFacts,
  row: ParsedRow,
  options: ImportOptions,
): Promise<RowOutcome> {
  return db.transaction().execute(async (trx): Promise<RowOutcome> => {
    const before = await findForwardingSetting(trx, facts.id);
    const candidate: ForwardingSetting = {
      ...row.setting,
      // A blank ring time keeps the stored one.
      ringTimeSeconds:
        row.setting.ringTimeSeconds ?? before?.ringTimeSeconds ?? defaultRingTimeSeconds,
    };
    const context = {
      ownNumber: facts.number,
      internationalBarring: facts.internationalBarring,
      subscriptions: facts.subscriptions,
    };
    const problems = [
      ...row.problems,
      ...validateForwardingSetting(candidate, context).map((p) => p.message),
    ];
    if (problems.length > 0) return { ok: false, reason: problems.join(' ') };
    // Stored as validateForwardingTarget normalizes them: digits only.
    const slots = candidate.slots.map((s) => {
      if (s === null) return null;
      const checked = validateForwardingTarget(s, context);
      return checked.ok ? checked.number : s;
    }) as ForwardingSetting['slots'];
    const after: ForwardingSetting = { ...candidate, slots };
    // A number with no setting downloads as the default; uploading it back stores nothing.
    if (before === undefined && isDefaultSetting(after)) return { ok: true, changed: false };
    const outcome = await upsertForwardingSetting(trx, facts.id, after, options.now);
    if (outcome === 'unchanged') return { ok: true, changed: false };
    await insertSettingHistory(
      trx,
      [
        {
          numberId: facts.id,
          siteId: facts.siteId,
          voiceGroupId: facts.voiceGroupId,
          actor: options.actor,
          ...csvUploadHistory,
          before: before ?? null,
          after,
        },
      ],
      options.now,
    );
    return { ok: true, changed: true };
  });
}

function isDefaultSetting(s: ForwardingSetting): boolean {
  return (
    !s.enabled &&
    !s.unconditional &&
    !s.onBusy &&
    !s.onNoAnswer &&
    !s.onUnreachable &&
    s.ringTimeSeconds === defaultRingTimeSeconds &&
    s.activeTarget === null &&
    s.slots.every((slot) => slot === null)
  );
}

/**
 * One message naming every changed number, as the bulk operations do; a lost message only
 * delays the change until feature-server caches expire, so it is logged, not thrown.
 */
async function announce({ state, logger }: ForwardingCsvDeps, numbers: string[]): Promise<void> {
  if (numbers.length === 0) return;
  try {
    await state.publish(settingsChangedChannel, numbers.join(','));
  } catch (err) {
    logger.error(
      { err, numbers: numbers.length },
      'forwarding csv: settings-changed broadcast failed; feature servers catch up when their caches expire',
    );
  }
}
