// Site-level forwarding administration (SPEC §3.3 bulk forwarding, §4 CSV and conflicts):
// the forwarding CSV of a site, its bulk-forwarding groups and their start/stop, each run as
// a background job of the site (site-jobs.ts). Hunt groups are in site-hunt-groups.ts.
import {
  BulkForwardingRuleError,
  deleteBulkForwardingGroup,
  findBulkForwardingGroup,
  findBulkForwardingGroupById,
  findSiteNumberIds,
  listBulkForwardingGroupsOfSite,
  listSiteNumberIds,
  maxBulkForwardingMembers,
  replaceBulkForwardingGroup,
  upsertBulkForwardingGroup,
  type BulkForwardingGroupWithMembers,
} from '@ipvoice/db';
import {
  downloadForwardingCsv,
  ForwardingCsvConflictError,
  ForwardingCsvFormatError,
  importForwardingCsv,
} from '@ipvoice/forwarding-csv';
import {
  BulkForwardingRefusedError,
  startBulkForwarding,
  stopBulkForwarding,
} from '@ipvoice/forwarding-ops';
import { z } from 'zod';
import type { SiteFacts } from '../access.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError, invalid } from '../api-error.ts';
import { defineRoute, type ApiRoute } from '../route.ts';
import { huntGroupRoutes } from './site-hunt-groups.ts';
import {
  csvAnswer,
  jobRoutes,
  jobView,
  runJob,
  siteAdmins,
  siteParams,
  targetSite,
} from './site-jobs.ts';

const conflict = (message: string) => new ApiError(409, 'conflict', message);

/** SPEC §4 conflicts and §3.3 refusals as answers: 409 with the library's message. */
function answerOf(err: unknown): unknown {
  if (err instanceof ForwardingCsvConflictError || err instanceof BulkForwardingRefusedError)
    return conflict(err.message);
  if (err instanceof ForwardingCsvFormatError) return invalid('body', err.message);
  if (err instanceof BulkForwardingRuleError) return invalid('numbers', err.message);
  return err;
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw answerOf(err);
  }
}

const actorOf = (p: { account: { login: string } } | undefined) => p?.account.login ?? 'api';

const download = defineRoute({
  method: 'GET',
  url: '/sites/:site/forwarding.csv',
  summary:
    'Download the forwarding settings of the site’s numbers (SPEC §4 CSV, UTF-8 with BOM); a csv_download job; 409 while another site operation runs',
  tags: ['sites'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: siteParams },
  async handler({ deps, target, principal, now, reply }) {
    const site = targetSite(target.site);
    let file: Buffer = Buffer.alloc(0);
    const job = await mapped(
      runJob(deps, { kind: 'csv_download', site, actor: actorOf(principal), now }, async () => {
        const numberIds = await listSiteNumberIds(deps.db, site.id);
        file = await downloadForwardingCsv(deps, { numberIds, actor: actorOf(principal), now });
        return { summary: { numbers: numberIds.length }, file };
      }),
    );
    reply.header('x-job-id', String(job.id));
    return csvAnswer(reply, file, `forwarding-${site.code}.csv`);
  },
});

const upload = defineRoute({
  method: 'POST',
  url: '/sites/:site/forwarding.csv',
  summary:
    'Upload forwarding settings (SPEC §4 CSV; body text/csv, UTF-8 or Shift_JIS): each row checked and applied on its own, per-row results in the csv_upload job’s file; 409 while another site operation runs',
  tags: ['sites'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: siteParams },
  async handler({ deps, target, principal, now, request, reply }) {
    const site = targetSite(target.site);
    const csv = request.body;
    if (!Buffer.isBuffer(csv) || csv.length === 0)
      throw invalid('body', 'send the CSV file itself as the body, with Content-Type text/csv');
    const job = await mapped(
      runJob(deps, { kind: 'csv_upload', site, actor: actorOf(principal), now }, async () => {
        const scopeNumberIds = await listSiteNumberIds(deps.db, site.id);
        const r = await importForwardingCsv(deps, {
          csv,
          actor: actorOf(principal),
          scopeNumberIds,
          now,
        });
        return {
          summary: {
            applied: r.applied,
            failed: r.failed,
            changed: r.changed.length,
            encoding: r.encoding,
          },
          file: r.resultCsv,
        };
      }),
    );
    // SPEC §4: a background job; it has finished by now, its rows in the job's result file.
    return reply.code(202).send({ job: jobView(job, site) });
  },
});

const groupBody = z.object({
  name: z.string().trim().min(1).max(64),
  numbers: z.array(z.string().regex(/^[0-9]{1,15}$/)).max(maxBulkForwardingMembers),
});
type GroupBody = z.infer<typeof groupBody>;

function groupView(g: BulkForwardingGroupWithMembers, site: SiteFacts) {
  return {
    id: g.id,
    site: site.code,
    name: g.name,
    state: g.state,
    numbers: g.members.map((m) => m.number),
    updatedAt: g.updated_at,
  };
}

/** The member ids of a body, each a base number of the site and none forwarded to a special
 * number (SPEC §3.4: those leave the bulk operations); 400 naming the first that is not. */
async function memberIds(deps: ApiDeps, site: SiteFacts, body: GroupBody): Promise<number[]> {
  const found = await findSiteNumberIds(deps.db, site.id, body.numbers);
  const ids = body.numbers.map((n, i) => {
    const id = found.get(n);
    if (id === undefined) throw invalid(`numbers.${i}`, `${n} is not a number of this site`);
    return id;
  });
  if (ids.length === 0) return ids;
  const [dialIns, special] = await Promise.all([
    deps.db
      .selectFrom('numbers')
      .select('id')
      .where('id', 'in', ids)
      .where('kind', '=', 'dial_in')
      .execute(),
    deps.db
      .selectFrom('subscriptions')
      .select('number_id')
      .where('number_id', 'in', ids)
      .where('feature', '=', 'special_number_forwarding')
      .execute(),
  ]);
  const dialIn = new Set(dialIns.map((r) => r.id));
  const forwardedToSpecial = new Set(special.map((r) => r.number_id));
  ids.forEach((id, i) => {
    const n = body.numbers[i] ?? '';
    if (dialIn.has(id))
      throw invalid(
        `numbers.${i}`,
        `${n} is a dial-in number: bulk forwarding applies to base numbers`,
      );
    if (forwardedToSpecial.has(id))
      throw invalid(
        `numbers.${i}`,
        `${n} forwards to a special number (SPEC §3.4) and is left out of bulk forwarding`,
      );
  });
  return ids;
}

async function groupById(deps: ApiDeps, id: number): Promise<BulkForwardingGroupWithMembers> {
  const g = await findBulkForwardingGroupById(deps.db, id);
  if (g === undefined)
    throw new ApiError(404, 'not_found', `bulk-forwarding group ${id} not found`);
  return g;
}

const groupTarget = (g: BulkForwardingGroupWithMembers | undefined) => {
  if (g === undefined) throw new Error('the access check resolves the group');
  return g;
};

const listGroups = defineRoute({
  method: 'GET',
  url: '/sites/:site/bulk-groups',
  summary: 'The bulk-forwarding groups of the site (SPEC §3.3)',
  tags: ['bulk forwarding'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: siteParams },
  async handler({ deps, target }) {
    const site = targetSite(target.site);
    const groups = await listBulkForwardingGroupsOfSite(deps.db, site.id);
    return {
      groups: groups.map((g) => ({
        id: g.id,
        name: g.name,
        state: g.state,
        members: g.memberCount,
      })),
    };
  },
});

const createGroup = defineRoute({
  method: 'POST',
  url: '/sites/:site/bulk-groups',
  summary: 'Register a bulk-forwarding group: a name and up to 1,000 numbers of the site',
  tags: ['bulk forwarding'],
  access: { resource: 'site', roles: siteAdmins },
  status: 201,
  schema: { params: siteParams, body: groupBody },
  async handler({ deps, target, body, now }) {
    const site = targetSite(target.site);
    const ids = await memberIds(deps, site, body);
    if ((await findBulkForwardingGroup(deps.db, site.id, body.name)) !== undefined)
      throw conflict(`a bulk-forwarding group named "${body.name}" already exists on this site`);
    await mapped(
      upsertBulkForwardingGroup(
        deps.db,
        { siteId: site.id, name: body.name, memberNumberIds: ids },
        now,
      ),
    );
    const made = await findBulkForwardingGroup(deps.db, site.id, body.name);
    if (made === undefined) throw new Error('the group just made is missing');
    return groupView(await groupById(deps, made.id), site);
  },
});

const groupParams = z.object({ groupId: z.coerce.number().int().min(1) });

const getGroup = defineRoute({
  method: 'GET',
  url: '/bulk-groups/:groupId',
  summary: 'A bulk-forwarding group with its state and member numbers',
  tags: ['bulk forwarding'],
  access: { resource: 'bulk_group', roles: siteAdmins },
  schema: { params: groupParams },
  async handler({ target }) {
    return groupView(groupTarget(target.bulkGroup), targetSite(target.site));
  },
});

const busy = (g: { name: string }) =>
  conflict(
    `bulk-forwarding group "${g.name}" is being started or stopped; try again when it has finished`,
  );

const putGroup = defineRoute({
  method: 'PUT',
  url: '/bulk-groups/:groupId',
  summary: 'Rename the group and replace its members; refused (409) while starting/stopping',
  tags: ['bulk forwarding'],
  access: { resource: 'bulk_group', roles: siteAdmins },
  schema: { params: groupParams, body: groupBody },
  async handler({ deps, target, body, now }) {
    const group = groupTarget(target.bulkGroup);
    const site = targetSite(target.site);
    const ids = await memberIds(deps, site, body);
    const same = await findBulkForwardingGroup(deps.db, site.id, body.name);
    if (same !== undefined && same.id !== group.id)
      throw conflict(`a bulk-forwarding group named "${body.name}" already exists on this site`);
    const outcome = await mapped(
      replaceBulkForwardingGroup(deps.db, group.id, { name: body.name, memberNumberIds: ids }, now),
    );
    if (outcome === 'busy') throw busy(group);
    return groupView(await groupById(deps, group.id), site);
  },
});

const deleteGroup = defineRoute({
  method: 'DELETE',
  url: '/bulk-groups/:groupId',
  summary: 'Delete the group; refused (409) while starting/stopping',
  tags: ['bulk forwarding'],
  access: { resource: 'bulk_group', roles: siteAdmins },
  status: 204,
  schema: { params: groupParams },
  async handler({ deps, target }) {
    const group = groupTarget(target.bulkGroup);
    if ((await deleteBulkForwardingGroup(deps.db, group.id)) === 'busy') throw busy(group);
    return undefined;
  },
});

function runRoute(kind: 'start' | 'stop'): ApiRoute {
  const operation = kind === 'start' ? startBulkForwarding : stopBulkForwarding;
  return defineRoute({
    method: 'POST',
    url: `/bulk-groups/:groupId/${kind}`,
    summary: `${kind === 'start' ? 'Start' : 'Stop'} bulk forwarding of the group (SPEC §3.3): a bulk_${kind} job whose file is the per-number result; 409 while the group is starting/stopping or another operation holds the site`,
    tags: ['bulk forwarding'],
    access: { resource: 'bulk_group', roles: siteAdmins },
    status: 201,
    schema: { params: groupParams },
    async handler({ deps, target, principal, now }) {
      const group = groupTarget(target.bulkGroup);
      const site = targetSite(target.site);
      const job = await mapped(
        runJob(deps, { kind: `bulk_${kind}`, site, actor: actorOf(principal), now }, async () => {
          const r = await operation(deps, group.id, actorOf(principal));
          return {
            summary: {
              groupId: group.id,
              group: group.name,
              operationId: r.operationId,
              state: r.state,
              ok: r.ok,
              errors: r.errors.length,
            },
            file: Buffer.from(r.csv, 'utf8'),
          };
        }),
      );
      return { job: jobView(job, site) };
    },
  });
}

export const siteRoutes: readonly ApiRoute[] = [
  ...jobRoutes,
  download,
  upload,
  listGroups,
  createGroup,
  getGroup,
  putGroup,
  deleteGroup,
  runRoute('start'),
  runRoute('stop'),
  ...huntGroupRoutes,
];
