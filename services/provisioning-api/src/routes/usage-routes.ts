// SPEC §3.13 usage search of a number, a site or a voice group within scope, by call or by
// destination: on screen (paged JSON), as a CSV download, or as a bulk export written in the
// background and fetched file by file. Period and output-limit messages come verbatim from
// features' checkUsagePeriod and usage's checkOutputLimit.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecordScope, Executor } from '@ipvoice/db';
import {
  exportsDir,
  getBulkExport,
  pruneExpiredExports,
  usageSearch,
  type BulkExport,
} from '@ipvoice/usage';
import { z } from 'zod';
import type { Rights, Target } from '../access.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError, invalid, notFound } from '../api-error.ts';
import { defineRoute, type ApiRoute, type RouteContext } from '../route.ts';

/** Whose records a URL names, how its exports are told apart, and the zone of its days. */
interface UsageScope {
  records: CallRecordScope;
  /** Starts the id of every export made for this scope, so another scope's id is unknown. */
  exportPrefix: string;
  timeZone: string;
}

async function zoneOf(db: Executor, voiceGroupId: number): Promise<string> {
  const row = await db
    .selectFrom('voice_groups')
    .select('time_zone')
    .where('id', '=', voiceGroupId)
    .executeTakeFirstOrThrow();
  return row.time_zone;
}

/** A number's own records; a site's or a voice group's by access line code, which outlives a
 * deleted number. */
async function scopeOf(db: Executor, t: Target): Promise<UsageScope> {
  if (t.number !== undefined) {
    return {
      records: { numberIds: [t.number.id] },
      exportPrefix: `n${t.number.id}-`,
      timeZone: t.number.timeZone,
    };
  }
  if (t.site !== undefined) {
    const lines = await db
      .selectFrom('access_lines')
      .select('code')
      .where('site_id', '=', t.site.id)
      .execute();
    return {
      records: { accessLineCodes: lines.map((l) => l.code) },
      exportPrefix: `s${t.site.id}-`,
      timeZone: await zoneOf(db, t.site.voiceGroupId),
    };
  }
  if (t.voiceGroup !== undefined) {
    const lines = await db
      .selectFrom('access_lines as a')
      .innerJoin('sites as s', 's.id', 'a.site_id')
      .select('a.code')
      .where('s.voice_group_id', '=', t.voiceGroup.id)
      .execute();
    return {
      records: { accessLineCodes: lines.map((l) => l.code) },
      exportPrefix: `g${t.voiceGroup.id}-`,
      timeZone: t.voiceGroup.time_zone,
    };
  }
  throw new Error('the access check resolves the usage scope');
}

const searchQuery = z.object({
  /** Local wall times of the voice group, 'YYYY-MM-DDTHH:mm[:ss]'; checked by the period rules. */
  from: z.string().max(32),
  to: z.string().max(32),
  by: z.enum(['call', 'destination']).default('call'),
  output: z.enum(['screen', 'csv', 'bulk']).default('screen'),
  page: z.coerce.number().int().min(1).default(1),
});

function bulkDeps(deps: ApiDeps, scope: UsageScope) {
  return {
    db: deps.db,
    dataDir: deps.config.dataDir,
    now: () => new Date(deps.clock.now()),
    newId: () => `${scope.exportPrefix}${randomUUID().replaceAll('-', '')}`,
    onError: (err: unknown, jobId: string) =>
      deps.logger.error({ err, jobId }, 'usage bulk export failed'),
  };
}

async function search(
  ctx: RouteContext<unknown, z.output<typeof searchQuery>, unknown>,
): Promise<unknown> {
  const { deps, query, reply, now } = ctx;
  const scope = await scopeOf(deps.db, ctx.target);
  if (query.output === 'bulk') await pruneExpiredExports(deps.db, now, deps.config.dataDir);
  const result = await usageSearch(bulkDeps(deps, scope), {
    scope: scope.records,
    by: query.by,
    output: query.output,
    period: { from: query.from, to: query.to },
    timeZone: scope.timeZone,
    requestedBy: ctx.principal?.account.login ?? 'api',
    page: query.page,
  });
  if (!result.ok) {
    if (result.kind === 'period') {
      throw invalid(result.field, result.message, {
        rule: result.rule,
        messageJa: result.messageJa,
      });
    }
    // The search was valid; the hits do not fit the output asked for.
    throw new ApiError(409, 'output_limit', result.message, 'output', {
      rule: result.rule,
      total: result.total,
      messageJa: result.messageJa,
    });
  }
  switch (result.output) {
    case 'screen': {
      const { by, period, total, page, pageSize, rows } = result;
      return { by, period, total, page, pageSize, rows };
    }
    case 'csv':
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${result.fileName}"`);
      return result.csv;
    case 'bulk':
      // Files are written in the background; the client polls the export. `done` records a
      // failure in the job; only a database gone meanwhile (shutdown) is left to log.
      result.done.catch((err: unknown) =>
        deps.logger.warn({ err, jobId: result.job.id }, 'usage bulk export not recorded'),
      );
      return reply.code(202).send({
        by: result.by,
        period: result.period,
        total: result.total,
        export: exportView(result.job),
      });
  }
}

function exportView(job: BulkExport) {
  return {
    id: job.id,
    status: job.status,
    rowCount: job.rowCount,
    files: job.files.map((name, i) => ({ index: i + 1, name })),
    error: job.error,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    expiresAt: job.expiresAt,
  };
}

const exportId = z.string().regex(/^[a-z][0-9]{1,9}-[0-9a-f]{32}$/, 'an export id');

/** The export named in the URL when it was made for this scope and has not expired. */
async function findExport(ctx: RouteContext<{ id: string }, unknown, unknown>) {
  const { deps, params, now } = ctx;
  const scope = await scopeOf(deps.db, ctx.target);
  await pruneExpiredExports(deps.db, now, deps.config.dataDir);
  const job = params.id.startsWith(scope.exportPrefix)
    ? await getBulkExport(deps.db, params.id)
    : undefined;
  if (job === undefined) throw notFound(`export ${params.id} not found`);
  return job;
}

/** The three routes of one scope: search, an export, an export's file. */
function scopeUsageRoutes(
  base: string,
  params: z.ZodObject<z.ZodRawShape>,
  access: (roles: Rights) => ApiRoute['access'],
  roles: Rights,
  what: string,
): ApiRoute[] {
  const withId = params.extend({ id: exportId });
  return [
    defineRoute({
      method: 'GET',
      url: `${base}/usage`,
      summary: `Usage of ${what} (SPEC §3.13): on screen, as CSV, or as a bulk export (202)`,
      tags: ['usage'],
      access: access(roles),
      schema: { params, querystring: searchQuery },
      handler: search,
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/usage/exports/:id`,
      summary: `A bulk usage export of ${what}: status and files (kept 3 days)`,
      tags: ['usage'],
      access: access(roles),
      schema: { params: withId as unknown as z.ZodType<{ id: string }> },
      async handler(ctx) {
        return exportView(await findExport(ctx));
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/usage/exports/:id/files/:n`,
      summary: `File n (from 1) of a bulk usage export of ${what}, CSV of up to 10,000 rows`,
      tags: ['usage'],
      access: access(roles),
      schema: {
        params: withId.extend({ n: z.coerce.number().int().min(1) }) as unknown as z.ZodType<{
          id: string;
          n: number;
        }>,
      },
      async handler(ctx) {
        const job = await findExport(ctx);
        const name = job.files[ctx.params.n - 1];
        if (job.status !== 'done' || name === undefined) {
          throw notFound(`export ${job.id} has no file ${ctx.params.n}`);
        }
        const csv = await readFile(join(exportsDir(ctx.deps.config.dataDir), name));
        void ctx.reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`);
        return csv;
      },
    }),
  ];
}

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
const siteParams = z.object({ site: z.string().regex(/^[0-9]{7}$/, '7 digits') });
const groupParams = z.object({ code: z.string().regex(/^VG[0-9]{5}$/, '"VG" and 5 digits') });

export const usageRoutes: ApiRoute[] = [
  ...scopeUsageRoutes(
    '/numbers/:number',
    numberParams,
    (roles) => ({ resource: 'number', roles }),
    { group_admin: true, site_admin: true, user: 'own' },
    'a number',
  ),
  ...scopeUsageRoutes(
    '/sites/:site',
    siteParams,
    (roles) => ({ resource: 'site', roles }),
    { group_admin: true, site_admin: true, user: false },
    'a site',
  ),
  ...scopeUsageRoutes(
    '/voice-groups/:code',
    groupParams,
    (roles) => ({ resource: 'voice_group', roles }),
    { group_admin: true, site_admin: false, user: false },
    'a voice group',
  ),
];
