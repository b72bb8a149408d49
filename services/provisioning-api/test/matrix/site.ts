// Requests of the site routes: jobs, forwarding CSV, bulk-forwarding groups, hunt groups.
// Site admins and group admins act within their site/voice group; users may not (403).
import type { Role } from '../../src/access.ts';
import type { Harness } from '../helpers/harness.ts';
import { onSite, sites, type Build, type Req, type Requests } from './common.ts';
import { bulkGroupAt, freshNumbers, huntGroupAt, jobAt } from './site-fixtures.ts';

/** Builds one request per site (inside and outside the role's scope) from the site's code. */
const perSite =
  (make: (h: Harness, code: string) => Promise<Req>): Build =>
  async (h: Harness, role: Role) => {
    const { inside, outside } = sites(h, role);
    return {
      inScope: await make(h, inside),
      ...(outside === undefined ? {} : { outOfScope: await make(h, outside) }),
    };
  };

/** A group made on each site for the request (`/bulk-groups/:groupId…`). */
const onGroup = (suffix: string, options: { started?: boolean; payload?: object } = {}): Build =>
  perSite(async (h, code) => ({
    url: `/bulk-groups/${await bulkGroupAt(h, code, options)}${suffix}`,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  }));

const onHuntGroup = (
  suffix: (g: { pilot: string; members: string[] }) => string,
  payload?: object,
) =>
  perSite(async (h, code) => {
    const g = await huntGroupAt(h, code);
    return {
      url: `/sites/${code}/hunt-groups/${g.pilot}${suffix(g)}`,
      ...(payload === undefined ? {} : { payload }),
    };
  });

const huntSettings = { mode: 'round_robin', callerId: 'individual', noAnswerSeconds: 15 };
const csv =
  'number,forwarding,unconditional,busy,no_answer,unreachable,ring_time,target1,target2,target3,target4,target5,active_target\r\n';
let named = 0;

export const siteRequests: Requests = {
  'GET /sites/:site/jobs': onSite('/jobs'),
  'GET /sites/:site/jobs/:id': perSite(async (h, code) => ({
    url: `/sites/${code}/jobs/${await jobAt(h, code)}`,
  })),
  'GET /sites/:site/jobs/:id/result': perSite(async (h, code) => ({
    url: `/sites/${code}/jobs/${await jobAt(h, code)}/result`,
  })),
  'GET /sites/:site/forwarding.csv': onSite('/forwarding.csv'),
  'POST /sites/:site/forwarding.csv': perSite(async (_h, code) => ({
    url: `/sites/${code}/forwarding.csv`,
    headers: { 'content-type': 'text/csv' },
    payload: csv,
  })),
  'GET /sites/:site/bulk-groups': onSite('/bulk-groups'),
  'POST /sites/:site/bulk-groups': perSite(async (_h, code) => {
    named += 1;
    return { url: `/sites/${code}/bulk-groups`, payload: { name: `new ${named}`, numbers: [] } };
  }),
  'GET /bulk-groups/:groupId': onGroup(''),
  'PUT /bulk-groups/:groupId': onGroup('', { payload: { name: 'renamed', numbers: [] } }),
  'DELETE /bulk-groups/:groupId': onGroup(''),
  'POST /bulk-groups/:groupId/start': onGroup('/start'),
  'POST /bulk-groups/:groupId/stop': onGroup('/stop', { started: true }),
  'GET /sites/:site/hunt-groups': onSite('/hunt-groups'),
  'POST /sites/:site/hunt-groups': perSite(async (h, code) => {
    const [pilot, member] = await freshNumbers(h, code, 2, { pilot: true });
    return {
      url: `/sites/${code}/hunt-groups`,
      payload: { ...huntSettings, pilot: pilot?.number, members: [member?.number] },
    };
  }),
  'GET /sites/:site/hunt-groups/:pilot': onHuntGroup(() => ''),
  'PUT /sites/:site/hunt-groups/:pilot': perSite(async (h, code) => {
    const g = await huntGroupAt(h, code);
    return {
      url: `/sites/${code}/hunt-groups/${g.pilot}`,
      payload: { ...huntSettings, members: [...g.members].reverse() },
    };
  }),
  'DELETE /sites/:site/hunt-groups/:pilot': onHuntGroup(() => ''),
  'POST /sites/:site/hunt-groups/:pilot/members/:number/:direction': onHuntGroup(
    (g) => `/members/${g.members[1] ?? ''}/up`,
  ),
};
