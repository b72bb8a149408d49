// SPEC §3.5 hunt groups of a site, by their pilot number: create, change (mode, caller ID,
// no-answer time, members in order), move a member up or down, delete. Each change writes a
// setting-history row for every number it affects and then announces them to feature servers.
import {
  deleteHuntGroup,
  findHuntGroupByNumber,
  findSiteNumberIds,
  hasSubscription,
  HuntGroupRuleError,
  insertSettingHistory,
  listHuntGroupPilotsOfSite,
  upsertHuntGroup,
  type HuntGroupFacts,
} from '@ipvoice/db';
import { settingsChangedChannel } from '@ipvoice/state';
import { z } from 'zod';
import type { Principal, SiteFacts } from '../access.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError, invalid, notFound } from '../api-error.ts';
import { defineRoute } from '../route.ts';
import { siteAdmins, siteParams, targetSite } from './site-jobs.ts';

const conflict = (message: string) => new ApiError(409, 'conflict', message);
const digits = z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits');
const pilotParams = siteParams.extend({ pilot: digits });

const settings = z.object({
  mode: z.enum(['sequential', 'round_robin']),
  callerId: z.enum(['pilot', 'individual']),
  noAnswerSeconds: z.number().int().min(5).max(120).nullable(),
  /** Members after the pilot, in hunting order. */
  members: z.array(digits).max(100),
});
type Settings = z.infer<typeof settings>;

function view(g: HuntGroupFacts) {
  return {
    pilot: g.pilot,
    mode: g.mode,
    callerId: g.callerId,
    noAnswerSeconds: g.noAnswerSeconds,
    members: g.members,
  };
}
type View = ReturnType<typeof view>;

/** The group piloted by the number, on this site; 404 otherwise. */
async function groupOf(deps: ApiDeps, site: SiteFacts, pilot: string): Promise<HuntGroupFacts> {
  const id = (await findSiteNumberIds(deps.db, site.id, [pilot])).get(pilot);
  const group = id === undefined ? undefined : await findHuntGroupByNumber(deps.db, id);
  if (group === undefined || group.pilotNumberId !== id)
    throw notFound(`hunt group ${pilot} not found`);
  return group;
}

/**
 * Writes the group (or deletes it when `after` is undefined) with a history row per affected
 * number in one transaction, then announces those numbers. `existing` tells 409 from 400 for
 * the rule "a group cannot be reduced to the pilot alone".
 */
async function write(
  deps: ApiDeps,
  site: SiteFacts,
  principal: Principal | undefined,
  now: Date,
  change: {
    pilotId: number;
    before: View | undefined;
    after: (Settings & { pilot: string }) | undefined;
  },
): Promise<void> {
  const { before, after } = change;
  const numbers = [
    ...new Set([
      ...(before ? [before.pilot, ...before.members] : []),
      ...(after ? [after.pilot, ...after.members] : []),
    ]),
  ];
  const ids = await findSiteNumberIds(deps.db, site.id, numbers);
  if (after !== undefined) {
    for (const [i, n] of after.members.entries()) {
      const id = ids.get(n);
      if (id === undefined) throw invalid(`members.${i}`, `${n} is not a number of this site`);
      const other = await findHuntGroupByNumber(deps.db, id);
      if (other !== undefined && other.pilotNumberId !== change.pilotId)
        throw conflict(`${n} already belongs to the hunt group of ${other.pilot}`);
    }
  }
  try {
    await deps.db.transaction().execute(async (trx) => {
      if (after === undefined) await deleteHuntGroup(trx, change.pilotId);
      else
        await upsertHuntGroup(
          trx,
          {
            pilotNumberId: change.pilotId,
            mode: after.mode,
            callerId: after.callerId,
            noAnswerSeconds: after.noAnswerSeconds,
            memberNumberIds: after.members.map((n) => ids.get(n) ?? 0),
          },
          now,
        );
      const afterView =
        after === undefined
          ? null
          : {
              pilot: after.pilot,
              mode: after.mode,
              callerId: after.callerId,
              noAnswerSeconds: after.noAnswerSeconds,
              members: after.members,
            };
      await insertSettingHistory(
        trx,
        numbers.map((n) => ({
          numberId: ids.get(n) ?? null,
          siteId: site.id,
          voiceGroupId: site.voiceGroupId,
          actor: principal?.account.login ?? 'api',
          feature: 'hunt_group',
          action: before === undefined ? 'create' : after === undefined ? 'delete' : 'update',
          before: before ?? null,
          after: afterView,
        })),
        now,
      );
    });
  } catch (err) {
    if (err instanceof HuntGroupRuleError)
      // SPEC §3.5: reducing an existing group to its pilot alone is refused, not malformed.
      throw before !== undefined && after?.members.length === 0
        ? conflict(err.message)
        : invalid('members', err.message);
    throw err;
  }
  // After the commit, so a feature server that reloads reads the new group.
  await deps.state.publish(settingsChangedChannel, numbers.join(','));
}

const list = defineRoute({
  method: 'GET',
  url: '/sites/:site/hunt-groups',
  summary: 'The hunt groups of the site (SPEC §3.5)',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: siteParams },
  async handler({ deps, target }) {
    const site = targetSite(target.site);
    const groups = [];
    for (const pilot of await listHuntGroupPilotsOfSite(deps.db, site.id))
      groups.push(view(await groupOf(deps, site, pilot)));
    return { groups };
  },
});

const create = defineRoute({
  method: 'POST',
  url: '/sites/:site/hunt-groups',
  summary:
    'Make a hunt group: a pilot with the hunt_group subscription and at least one member, base numbers of the site',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  status: 201,
  schema: { params: siteParams, body: settings.extend({ pilot: digits }) },
  async handler({ deps, target, body, principal, now }) {
    const site = targetSite(target.site);
    const pilotId = (await findSiteNumberIds(deps.db, site.id, [body.pilot])).get(body.pilot);
    if (pilotId === undefined) throw invalid('pilot', `${body.pilot} is not a number of this site`);
    if (!(await hasSubscription(deps.db, pilotId, 'hunt_group')))
      throw invalid('pilot', `${body.pilot} has no hunt group subscription`);
    const existing = await findHuntGroupByNumber(deps.db, pilotId);
    if (existing !== undefined)
      throw conflict(`${body.pilot} already belongs to the hunt group of ${existing.pilot}`);
    await write(deps, site, principal, now, { pilotId, before: undefined, after: body });
    return view(await groupOf(deps, site, body.pilot));
  },
});

const one = defineRoute({
  method: 'GET',
  url: '/sites/:site/hunt-groups/:pilot',
  summary: 'A hunt group: mode, caller ID, no-answer time and members in order',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: pilotParams },
  async handler({ deps, target, params }) {
    return view(await groupOf(deps, targetSite(target.site), params.pilot));
  },
});

const put = defineRoute({
  method: 'PUT',
  url: '/sites/:site/hunt-groups/:pilot',
  summary:
    'Change a hunt group; members are added, removed and reordered by the list (never down to the pilot alone: 409)',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  schema: { params: pilotParams, body: settings },
  async handler({ deps, target, params, body, principal, now }) {
    const site = targetSite(target.site);
    const group = await groupOf(deps, site, params.pilot);
    await write(deps, site, principal, now, {
      pilotId: group.pilotNumberId,
      before: view(group),
      after: { ...body, pilot: group.pilot },
    });
    return view(await groupOf(deps, site, params.pilot));
  },
});

const remove = defineRoute({
  method: 'DELETE',
  url: '/sites/:site/hunt-groups/:pilot',
  summary: 'Delete a hunt group; its numbers ring on their own again',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  status: 204,
  schema: { params: pilotParams },
  async handler({ deps, target, params, principal, now }) {
    const site = targetSite(target.site);
    const group = await groupOf(deps, site, params.pilot);
    await write(deps, site, principal, now, {
      pilotId: group.pilotNumberId,
      before: view(group),
      after: undefined,
    });
    return undefined;
  },
});

const move = defineRoute({
  method: 'POST',
  url: '/sites/:site/hunt-groups/:pilot/members/:number/:direction',
  summary: 'Move a member one place up or down in the hunting order (SPEC §3.5)',
  tags: ['hunt groups'],
  access: { resource: 'site', roles: siteAdmins },
  schema: {
    params: pilotParams.extend({ number: digits, direction: z.enum(['up', 'down']) }),
  },
  async handler({ deps, target, params, principal, now }) {
    const site = targetSite(target.site);
    const group = await groupOf(deps, site, params.pilot);
    const members = [...group.members];
    const at = members.indexOf(params.number);
    if (at < 0) throw notFound(`${params.number} is not a member of the hunt group ${group.pilot}`);
    const to = params.direction === 'up' ? at - 1 : at + 1;
    const other = members[to];
    if (other === undefined)
      throw conflict(
        `${params.number} is already the ${params.direction === 'up' ? 'first' : 'last'} member`,
      );
    members[to] = params.number;
    members[at] = other;
    const before = view(group);
    await write(deps, site, principal, now, {
      pilotId: group.pilotNumberId,
      before,
      after: { ...before, members },
    });
    return view(await groupOf(deps, site, params.pilot));
  },
});

export const huntGroupRoutes = [list, create, one, put, remove, move];
