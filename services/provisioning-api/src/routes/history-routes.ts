// SPEC §4 setting history of a whole site: every change to its numbers and groups (who, when,
// what, before, after), newest first, within a period. A number's own history is
// GET /numbers/:number/history.
import { listSettingHistory } from '@ipvoice/db';
import { z } from 'zod';
import { invalid } from '../api-error.ts';
import { defineRoute } from '../route.ts';

const isoTime = z.iso.datetime({ offset: true });

const siteHistory = defineRoute({
  method: 'GET',
  url: '/sites/:site/history',
  summary: 'Setting history of the site (SPEC §4), newest first, optionally within [from, to]',
  tags: ['sites'],
  access: { resource: 'site', roles: { group_admin: true, site_admin: true, user: false } },
  schema: {
    params: z.object({ site: z.string() }),
    querystring: z.object({
      from: isoTime.optional(),
      to: isoTime.optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  async handler({ deps, target, query }) {
    const site = target.site;
    if (site === undefined) throw new Error('site access without a site');
    if (query.from !== undefined && query.to !== undefined && query.from > query.to)
      throw invalid('to', 'the end of the period is before its start');
    const entries = await listSettingHistory(deps.db, {
      siteId: site.id,
      ...(query.from === undefined ? {} : { since: new Date(query.from) }),
      ...(query.to === undefined ? {} : { until: new Date(query.to) }),
      limit: query.limit ?? 100,
    });
    return { entries };
  },
});

export const historyRoutes = [siteHistory];
