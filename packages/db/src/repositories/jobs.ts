// SPEC §4 background jobs: created `running`, finished once as `done` or `failed`.
import type { Executor } from '../executor.ts';
import type { JobKind, JobRow, JobStatus } from '../tables/job.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** A job as callers see it: the summary parsed. */
export interface Job {
  id: number;
  kind: JobKind;
  siteId: number;
  actor: string;
  status: JobStatus;
  summary: Record<string, unknown>;
  resultFile: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface NewJob {
  kind: JobKind;
  siteId: number;
  actor: string;
  summary?: Record<string, unknown>;
}

export interface JobEnd {
  status: 'done' | 'failed';
  summary: Record<string, unknown>;
  resultFile?: string | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    siteId: row.site_id,
    actor: row.actor,
    status: row.status,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    resultFile: row.result_file,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** Records a job as `running`; committed on its own so the job list shows it meanwhile. */
export async function insertJob(db: Executor, job: NewJob, now: Date): Promise<Job> {
  const row = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      site_id: job.siteId,
      actor: job.actor,
      status: 'running',
      summary: JSON.stringify(job.summary ?? {}),
      result_file: null,
      created_at: toTimestamp(now),
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

/** Finishes a running job; false when it was not running (already finished, or gone). */
export async function finishJob(
  db: Executor,
  id: number,
  end: JobEnd,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      status: end.status,
      summary: JSON.stringify(end.summary),
      result_file: end.resultFile ?? null,
      finished_at: toTimestamp(now),
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function findJob(db: Executor, id: number): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJob(row);
}

/** A site's jobs, newest first. */
export async function listJobs(
  db: Executor,
  siteId: number,
  options: { limit?: number } = {},
): Promise<Job[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('site_id', '=', siteId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(toJob);
}

/** Deletes jobs finished before `finishedBefore` (a running one is kept however old); returns
 * their result files' names, for the caller to delete. */
export async function pruneJobs(db: Executor, finishedBefore: Date): Promise<string[]> {
  const rows = await db
    .deleteFrom('jobs')
    .where('status', '!=', 'running')
    .where('finished_at', '<', toTimestamp(finishedBefore))
    .returning('result_file')
    .execute();
  return rows.flatMap((r) => (r.result_file === null ? [] : [r.result_file]));
}
