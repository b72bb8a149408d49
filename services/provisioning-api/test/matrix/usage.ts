// Requests of the usage routes (SPEC §3.13): a search finds a call in scope, so it answers
// 200 rather than "no calls match"; an export is made (by the operator, for that scope) before
// it is asked for.
import { insertCallRecords, type NewCallRecord } from '@ipvoice/db';
import type { Role } from '../../src/access.ts';
import type { Harness } from '../helpers/harness.ts';
import { OPERATOR, numbers, sites, type Build, type Req, type Requests } from './common.ts';

/** Yesterday in Tokyo is 2025-11-22 (the harness clock is 2025-11-23 18:00 JST). */
export const PERIOD = { from: '2025-11-20T00:00:00', to: '2025-11-20T23:59:59' };
export const periodQuery = `from=${PERIOD.from}&to=${PERIOD.to}`;

let calls = 0;
/** One answered call of each tenant number, at `startedAt` (12:00 JST on 2025-11-20). */
export async function seedCalls(h: Harness, startedAt = '2025-11-20T03:00:00.000Z') {
  const t = h.tenant;
  const lineCode = async (lineId: number) =>
    (
      await h.db
        .selectFrom('access_lines')
        .select('code')
        .where('id', '=', lineId)
        .executeTakeFirstOrThrow()
    ).code;
  const records: NewCallRecord[] = [];
  for (const n of [t.n1, t.n2, t.n3, t.n4]) {
    calls += 1;
    records.push(callRecord(n.id, await lineCode(n.access_line_id), startedAt, `m-${calls}`));
  }
  await insertCallRecords(h.db, records);
}

export function callRecord(
  numberId: number,
  accessLineCode: string,
  startedAt: string,
  callId: string,
  called = '0311112222',
): NewCallRecord {
  const start = Date.parse(startedAt);
  return {
    call_id: callId,
    server_id: 'test',
    number_id: numberId,
    access_line_code: accessLineCode,
    direction: 'outgoing',
    caller: '0312345678',
    called,
    started_at: new Date(start).toISOString(),
    answered_at: new Date(start + 5_000).toISOString(),
    ended_at: new Date(start + 65_000).toISOString(),
    ring_seconds: 5,
    outcome: 'answered',
    rate_band: 'normal',
  };
}

/** Starts a bulk export of `base` as the operator and waits until its files are written. */
export async function finishedExport(h: Harness, base: string): Promise<string> {
  const cookie = await h.login(OPERATOR.login);
  const started = await h.request({
    method: 'GET',
    url: `${base}/usage?${periodQuery}&output=bulk`,
    cookie,
  });
  if (started.statusCode !== 202) throw new Error(`bulk export: ${started.body}`);
  const id = started.json<{ export: { id: string } }>().export.id;
  // The files are written in the background; the export tells when it is done.
  for (let i = 0; i < 1_500; i++) {
    const r = await h.request({ method: 'GET', url: `${base}/usage/exports/${id}`, cookie });
    const status = r.json<{ status: string }>().status;
    if (status === 'done') return id;
    if (status !== 'running') throw new Error(`export ${id}: ${r.body}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`export ${id} did not finish`);
}

/** A voice group in each role's scope, and one outside it (only group admins have one). */
function voiceGroups(role: Role): { inside: string; outside?: string } {
  switch (role) {
    case 'operator':
      return { inside: 'VG00002' };
    case 'group_admin':
      return { inside: 'VG00001', outside: 'VG00002' };
    case 'site_admin':
    case 'user':
      return { inside: 'VG00001', outside: 'VG00002' };
  }
}

type Bases = (h: Harness, role: Role) => { inside: string; outside?: string };
const numberBases: Bases = (h, role) => {
  const { inside, outside } = numbers(h, role);
  return { inside: `/numbers/${inside}`, ...(outside ? { outside: `/numbers/${outside}` } : {}) };
};
const siteBases: Bases = (h, role) => {
  const { inside, outside } = sites(h, role);
  return { inside: `/sites/${inside}`, ...(outside ? { outside: `/sites/${outside}` } : {}) };
};
const groupBases: Bases = (_h, role) => {
  const { inside, outside } = voiceGroups(role);
  return {
    inside: `/voice-groups/${inside}`,
    ...(outside ? { outside: `/voice-groups/${outside}` } : {}),
  };
};

const pair = (inside: Req, outside: Req | undefined) => ({
  inScope: inside,
  ...(outside ? { outOfScope: outside } : {}),
});

const onSearch =
  (bases: Bases): Build =>
  async (h, role) => {
    await seedCalls(h);
    const { inside, outside } = bases(h, role);
    const req = (base: string): Req => ({ url: `${base}/usage?${periodQuery}` });
    return pair(req(inside), outside === undefined ? undefined : req(outside));
  };

const onExport =
  (bases: Bases, suffix: string): Build =>
  async (h, role) => {
    await seedCalls(h);
    const { inside, outside } = bases(h, role);
    const req = async (base: string): Promise<Req> => ({
      url: `${base}/usage/exports/${await finishedExport(h, base)}${suffix}`,
    });
    return pair(await req(inside), outside === undefined ? undefined : await req(outside));
  };

export const usageRequests: Requests = {
  'GET /numbers/:number/usage': onSearch(numberBases),
  'GET /numbers/:number/usage/exports/:id': onExport(numberBases, ''),
  'GET /numbers/:number/usage/exports/:id/files/:n': onExport(numberBases, '/files/1'),
  'GET /sites/:site/usage': onSearch(siteBases),
  'GET /sites/:site/usage/exports/:id': onExport(siteBases, ''),
  'GET /sites/:site/usage/exports/:id/files/:n': onExport(siteBases, '/files/1'),
  'GET /voice-groups/:code/usage': onSearch(groupBases),
  'GET /voice-groups/:code/usage/exports/:id': onExport(groupBases, ''),
  'GET /voice-groups/:code/usage/exports/:id/files/:n': onExport(groupBases, '/files/1'),
};
