// SPEC §4 background jobs of a site: CSV upload, CSV download, bulk-forwarding start/stop.
// Each is a `jobs` row, `running` while it works and `done` (or `failed`) after, with its
// result file under `<dataDir>/jobs/`. Jobs run within the request here: the answer carries
// the finished job, and another account meanwhile sees it `running` in the list.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findJob, finishJob, insertJob, listJobs, type Job, type JobKind } from '@ipvoice/db';
import { z } from 'zod';
import type { SiteFacts } from '../access.ts';
import type { ApiDeps } from '../api-deps.ts';
import { notFound } from '../api-error.ts';
import { defineRoute } from '../route.ts';

export const siteParams = z.object({
  site: z.string().regex(/^[0-9]{7}$/, 'a site code is 7 digits'),
});
export const siteAdmins = { group_admin: true, site_admin: true, user: false } as const;

export const targetSite = (site: SiteFacts | undefined): SiteFacts => {
  if (site === undefined) throw new Error('the access check resolves the site');
  return site;
};

const jobsDir = (deps: ApiDeps) => join(deps.config.dataDir, 'jobs');

/** A job as the API shows it. */
export function jobView(job: Job, site: SiteFacts) {
  return {
    id: job.id,
    kind: job.kind,
    site: site.code,
    actor: job.actor,
    status: job.status,
    summary: job.summary,
    hasResult: job.resultFile !== null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

export interface JobOutcome {
  summary: Record<string, unknown>;
  /** The result file (CSV), kept for download. */
  file?: Buffer;
}

/**
 * Runs `work` as a job of the site: recorded `running`, then `done` with its summary and file,
 * or `failed` with the error's message — which is then rethrown for the answer (a refused
 * operation is a failed job the administrator can see in the list).
 */
export async function runJob(
  deps: ApiDeps,
  start: { kind: JobKind; site: SiteFacts; actor: string; now: Date },
  work: (job: Job) => Promise<JobOutcome>,
): Promise<Job> {
  const job = await insertJob(
    deps.db,
    { kind: start.kind, siteId: start.site.id, actor: start.actor },
    start.now,
  );
  const finishedAt = () => new Date(deps.clock.now());
  let outcome: JobOutcome;
  try {
    outcome = await work(job);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finishJob(
      deps.db,
      job.id,
      { status: 'failed', summary: { error: message } },
      finishedAt(),
    );
    throw err;
  }
  let resultFile: string | null = null;
  if (outcome.file !== undefined) {
    resultFile = `${job.id}-${start.kind}.csv`;
    await mkdir(jobsDir(deps), { recursive: true });
    await writeFile(join(jobsDir(deps), resultFile), outcome.file);
  }
  await finishJob(
    deps.db,
    job.id,
    { status: 'done', summary: outcome.summary, resultFile },
    finishedAt(),
  );
  const done = await findJob(deps.db, job.id);
  if (done === undefined) throw new Error(`job ${job.id} vanished`);
  return done;
}

const jobParams = siteParams.extend({ id: z.coerce.number().int().min(1) });

async function siteJob(deps: ApiDeps, site: SiteFacts, id: number): Promise<Job> {
  const job = await findJob(deps.db, id);
  // Another site's job is answered as missing, like anything outside scope.
  if (job === undefined || job.siteId !== site.id) throw notFound(`job ${id} not found`);
  return job;
}

const list = defineRoute({
  method: 'GET',
  url: '/sites/:site/jobs',
  summary: 'The background jobs of the site, newest first (SPEC §4)',
  tags: ['sites'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: siteParams },
  async handler({ deps, target }) {
    const site = targetSite(target.site);
    return { jobs: (await listJobs(deps.db, site.id)).map((j) => jobView(j, site)) };
  },
});

const one = defineRoute({
  method: 'GET',
  url: '/sites/:site/jobs/:id',
  summary: 'One background job: running, done or failed, with its summary (SPEC §4)',
  tags: ['sites'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: jobParams },
  async handler({ deps, target, params }) {
    const site = targetSite(target.site);
    return jobView(await siteJob(deps, site, params.id), site);
  },
});

const result = defineRoute({
  method: 'GET',
  url: '/sites/:site/jobs/:id/result',
  summary: 'The result file of a finished job (CSV, UTF-8 with BOM)',
  tags: ['sites'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: jobParams },
  async handler({ deps, target, params, reply }) {
    const job = await siteJob(deps, targetSite(target.site), params.id);
    if (job.resultFile === null) throw notFound(`job ${job.id} has no result file`);
    const file = await readFile(join(jobsDir(deps), job.resultFile));
    return csvAnswer(reply, file, job.resultFile);
  },
});

/** Answers a CSV file as a download. */
export function csvAnswer(
  reply: { header(name: string, value: string): unknown },
  file: Buffer,
  name: string,
): Buffer {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}"`);
  return file;
}

export const jobRoutes = [list, one, result];
