// SPEC §3.13 bulk usage export: up to 100,000 rows written in the background into CSV files
// of at most 10,000 rows each, kept 3 days.
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallRecordSearch, type Executor, toTimestamp } from '@ipvoice/db';
import type { Kysely } from 'kysely';
import { OUTPUT_LIMITS, type UsageSearchBy } from './output-limits.ts';
import type { UsageExportRow, UsageExportStatus, UsageTables } from './usage-export.table.ts';
import { usageCsv } from './usage-csv.ts';
import { csvPages } from './usage-pages.ts';

export const ROWS_PER_FILE = 10_000;
export const EXPORT_KEEP_MS = 3 * 24 * 60 * 60 * 1000;

export interface BulkExportDeps {
  db: Executor;
  /** Files go to `<dataDir>/exports`. */
  dataDir: string;
  now: () => Date;
  newId: () => string;
  /** Told when a background export fails; the job row records it too. */
  onError?: (err: unknown, jobId: string) => void;
}

export interface BulkExportRequest {
  requestedBy: string;
  search: CallRecordSearch;
  by: UsageSearchBy;
  timeZone: string;
  /** The period as entered (local), kept with the job for display. */
  period: { from: string; to: string };
}

export interface BulkExport {
  id: string;
  requestedBy: string;
  status: UsageExportStatus;
  files: string[];
  rowCount: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string;
}

export const exportsDir = (dataDir: string) => join(dataDir, 'exports');

/** `usage-<jobid>-001.csv`, numbered from 1. */
export const exportFileName = (jobId: string, index: number) =>
  `usage-${jobId}-${String(index).padStart(3, '0')}.csv`;

function tables(db: Executor): Kysely<UsageTables> {
  return db.withTables<UsageTables>() as unknown as Kysely<UsageTables>;
}

function toExport(row: UsageExportRow): BulkExport {
  return {
    id: row.id,
    requestedBy: row.requested_by,
    status: row.status,
    files: JSON.parse(row.files) as string[],
    rowCount: Number(row.row_count),
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Records the job as running and starts writing its files. Resolves once the job is recorded;
 * `done` settles when the files are written (or the job has failed), never rejecting.
 */
export async function startBulkExport(
  deps: BulkExportDeps,
  request: BulkExportRequest,
): Promise<{ job: BulkExport; done: Promise<BulkExport> }> {
  const id = deps.newId();
  if (!/^[A-Za-z0-9_-]+$/.test(id))
    throw new RangeError(`export id must be a file-name word: ${id}`);
  const created = deps.now();
  const row: UsageExportRow = {
    id,
    requested_by: request.requestedBy,
    scope: JSON.stringify({
      scope: request.search.scope,
      by: request.by,
      timeZone: request.timeZone,
      period: request.period,
    }),
    period_from: request.search.from,
    period_to: request.search.to,
    status: 'running',
    files: '[]',
    row_count: 0,
    error: null,
    created_at: toTimestamp(created),
    finished_at: null,
    expires_at: toTimestamp(new Date(created.getTime() + EXPORT_KEEP_MS)),
  };
  await tables(deps.db).insertInto('usage_exports').values(row).execute();
  const done = writeFiles(deps, request, id).then(
    async ({ files, rowCount }) => finish(deps, id, 'done', files, rowCount, null),
    async (err: unknown) => {
      deps.onError?.(err, id);
      return finish(deps, id, 'failed', [], 0, err instanceof Error ? err.message : String(err));
    },
  );
  return { job: toExport(row), done };
}

async function finish(
  deps: BulkExportDeps,
  id: string,
  status: UsageExportStatus,
  files: string[],
  rowCount: number,
  error: string | null,
): Promise<BulkExport> {
  const row = await tables(deps.db)
    .updateTable('usage_exports')
    .set({
      status,
      files: JSON.stringify(files),
      row_count: rowCount,
      error,
      finished_at: toTimestamp(deps.now()),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toExport(row);
}

/** Page by page into files of at most ROWS_PER_FILE rows, each with BOM and header. */
async function writeFiles(
  deps: BulkExportDeps,
  request: BulkExportRequest,
  id: string,
): Promise<{ files: string[]; rowCount: number }> {
  const dir = exportsDir(deps.dataDir);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let rowCount = 0;
  let inFile = 0;
  let file: FileHandle | undefined;
  try {
    const pages = csvPages(
      deps.db,
      request.search,
      request.by,
      request.timeZone,
      OUTPUT_LIMITS.bulk,
    );
    for await (const page of pages) {
      let rest = page;
      while (rest.length > 0) {
        if (file === undefined || inFile === ROWS_PER_FILE) {
          await file?.close();
          const name = exportFileName(id, files.length + 1);
          file = await open(join(dir, name), 'w');
          files.push(name);
          inFile = 0;
        }
        const take = rest.slice(0, ROWS_PER_FILE - inFile);
        await file.write(usageCsv(request.by, take, inFile === 0));
        inFile += take.length;
        rowCount += take.length;
        rest = rest.slice(take.length);
      }
    }
    await file?.close();
    file = undefined;
    return { files, rowCount };
  } catch (err) {
    await file?.close().catch(() => {});
    // A failed job keeps no half-written files.
    await Promise.all(files.map((name) => rm(join(dir, name), { force: true })));
    throw err;
  }
}

export async function getBulkExport(db: Executor, id: string): Promise<BulkExport | undefined> {
  const row = await tables(db)
    .selectFrom('usage_exports')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toExport(row);
}

/** SPEC §3.13: files are kept 3 days. Deletes the files, then the rows, of expired jobs;
 * returns how many jobs went. */
export async function pruneExpiredExports(
  db: Executor,
  now: Date,
  dataDir: string,
): Promise<number> {
  const expired = await tables(db)
    .selectFrom('usage_exports')
    .selectAll()
    .where('expires_at', '<=', toTimestamp(now))
    .execute();
  const dir = exportsDir(dataDir);
  for (const row of expired) {
    const files = JSON.parse(row.files) as string[];
    await Promise.all(files.map((name) => rm(join(dir, name), { force: true })));
    await tables(db).deleteFrom('usage_exports').where('id', '=', row.id).execute();
  }
  return expired.length;
}

/** A bulk export still `running` this long after it was asked for died with its process. */
export const STALE_EXPORT_MS = 3600_000;

/** Marks exports left `running` by a process that stopped as failed, so their requester sees
 * an answer rather than a job that never ends; returns how many. */
export async function failStaleExports(db: Executor, now: Date): Promise<number> {
  const result = await tables(db)
    .updateTable('usage_exports')
    .set({
      status: 'failed',
      error: 'the export was interrupted (the server stopped); ask for it again',
      finished_at: toTimestamp(now),
    })
    .where('status', '=', 'running')
    .where('created_at', '<', toTimestamp(new Date(now.getTime() - STALE_EXPORT_MS)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
