// SPEC §4 operator (carrier) functions through the API: voice groups, sites, access lines,
// numbers, SIP credentials and subscriptions (SPEC §2 subscriber model), upserted by their
// natural codes with the repositories and rules of the provisioning files.
import {
  findAccessLineByCode,
  findCredentialByNumberId,
  findNumber,
  findNumberRow,
  findSiteByCode,
  findVoiceGroupByCode,
  insertSettingHistory,
  listDialIns,
  listSubscriptions,
  replaceSubscriptions,
  upsertAccessLine,
  upsertNumber,
  upsertSipCredential,
  upsertSite,
  upsertVoiceGroup,
  type Subscription,
} from '@ipvoice/db';
// The provisioning file's rules, with its messages.
import {
  accessLineCodeSchema as accessLineCode,
  checkSubscriptions,
  phoneNumberSchema as phoneNumber,
  siteCodeSchema as siteCode,
  subscriptionSchema,
  timeZoneSchema as timeZone,
  voiceGroupCodeSchema as voiceGroupCode,
} from '@ipvoice/provisioning';
import { settingsChangedChannel } from '@ipvoice/state';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError, invalid, notFound } from '../api-error.ts';
import { defineRoute } from '../route.ts';

const operator = { resource: 'operator' } as const;
const tags = ['operator'];

const numberParams = z.object({ number: phoneNumber });

const voiceGroupView = async (deps: ApiDeps, code: string) => {
  const group = await findVoiceGroupByCode(deps.db, code);
  if (group === undefined) throw notFound(`voice group ${code} not found`);
  const sites = await deps.db
    .selectFrom('sites')
    .select(['code', 'name'])
    .where('voice_group_id', '=', group.id)
    .orderBy('code')
    .execute();
  return { code: group.code, name: group.name, timeZone: group.time_zone, sites };
};

const getVoiceGroup = defineRoute({
  method: 'GET',
  url: '/voice-groups/:code',
  summary: 'A voice group with its sites (operator)',
  tags,
  access: operator,
  schema: { params: z.object({ code: voiceGroupCode }) },
  async handler({ deps, params }) {
    return voiceGroupView(deps, params.code);
  },
});

const putVoiceGroup = defineRoute({
  method: 'PUT',
  url: '/voice-groups/:code',
  summary: 'Create or update a voice group (operator); time zone default Asia/Tokyo',
  tags,
  access: operator,
  schema: {
    params: z.object({ code: voiceGroupCode }),
    body: z.object({ name: z.string().min(1).max(200), timeZone: timeZone.optional() }).strict(),
  },
  async handler({ deps, params, body, now }) {
    const { outcome } = await upsertVoiceGroup(
      deps.db,
      {
        code: params.code,
        name: body.name,
        ...(body.timeZone === undefined ? {} : { time_zone: body.timeZone }),
      },
      now,
    );
    return { outcome, ...(await voiceGroupView(deps, params.code)) };
  },
});

const putSite = defineRoute({
  method: 'PUT',
  url: '/sites/:site',
  summary: 'Create or update a site of a voice group (operator)',
  tags,
  access: operator,
  schema: {
    params: z.object({ site: siteCode }),
    body: z.object({ voiceGroup: voiceGroupCode, name: z.string().min(1).max(200) }).strict(),
  },
  async handler({ deps, params, body, now }) {
    const group = await findVoiceGroupByCode(deps.db, body.voiceGroup);
    if (group === undefined) throw invalid('voiceGroup', `unknown voice group ${body.voiceGroup}`);
    const { row, outcome } = await upsertSite(
      deps.db,
      { code: params.site, voice_group_id: group.id, name: body.name },
      now,
    );
    return { outcome, code: row.code, name: row.name, voiceGroup: group.code };
  },
});

const putAccessLine = defineRoute({
  method: 'PUT',
  url: '/access-lines/:code',
  summary:
    'Create or update an access line of a site: channels (concurrent calls) and the bulk_forwarding subscription (operator)',
  tags,
  access: operator,
  schema: {
    params: z.object({ code: accessLineCode }),
    body: z
      .object({
        site: siteCode,
        channels: z.number().int().min(1, 'at least 1 channel').max(10000),
        /** SPEC §3.3: bulk forwarding is subscribed per access line; omitted: left alone. */
        subscriptions: z.array(z.literal('bulk_forwarding')).max(1).optional(),
      })
      .strict(),
  },
  async handler({ deps, params, body, now }) {
    const site = await findSiteByCode(deps.db, body.site);
    if (site === undefined) throw invalid('site', `unknown site ${body.site}`);
    const result = await deps.db.transaction().execute(async (trx) => {
      const line = await upsertAccessLine(
        trx,
        { code: params.code, site_id: site.id, channels: body.channels },
        now,
      );
      if (body.subscriptions !== undefined) {
        await replaceSubscriptions(
          trx,
          { accessLineId: line.row.id },
          body.subscriptions.map((feature) => ({ feature })),
          now,
        );
      }
      const subs = await listSubscriptions(trx, { accessLineId: line.row.id });
      return { line, subscriptions: subs.map((s) => s.feature) };
    });
    // The channel count and bulk forwarding are read per call: feature servers reload.
    for (const n of await deps.db
      .selectFrom('numbers')
      .select('number')
      .where('access_line_id', '=', result.line.row.id)
      .execute()) {
      await deps.state.publish(settingsChangedChannel, n.number);
    }
    return {
      outcome: result.line.outcome,
      code: result.line.row.code,
      site: site.code,
      channels: result.line.row.channels,
      subscriptions: result.subscriptions,
    };
  },
});

const putNumber = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/provisioning',
  summary:
    'Create or update a number on an access line: a base number, or a dial-in delivered to a base number of the same line (operator)',
  tags,
  access: operator,
  schema: {
    params: numberParams,
    body: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('base'), accessLine: accessLineCode }).strict(),
      z
        .object({ kind: z.literal('dial_in'), accessLine: accessLineCode, baseNumber: phoneNumber })
        .strict(),
    ]),
  },
  async handler({ deps, params, body, now }) {
    const line = await findAccessLineByCode(deps.db, body.accessLine);
    if (line === undefined) throw invalid('accessLine', `unknown access line ${body.accessLine}`);
    const current = await findNumberRow(deps.db, params.number);
    let baseNumberId: number | undefined;
    if (body.kind === 'dial_in') {
      const base = await findNumberRow(deps.db, body.baseNumber);
      if (base === undefined || base.kind !== 'base' || base.number === params.number) {
        throw invalid('baseNumber', `${body.baseNumber} is not a base number`);
      }
      // SPEC §2: dial-ins hang off a base number of their own access line.
      if (base.access_line_id !== line.id) {
        throw invalid('baseNumber', `${body.baseNumber} is not on access line ${line.code}`);
      }
      baseNumberId = base.id;
    }
    if (current !== undefined && current.kind === 'base') {
      const dialIns = await listDialIns(deps.db, current.id);
      const moves = body.kind === 'dial_in' || line.id !== current.access_line_id;
      if (dialIns.length > 0 && moves) {
        throw new ApiError(
          409,
          'conflict',
          `${params.number} has dial-in numbers (${dialIns.map((d) => d.number).join(', ')}): move or delete them first`,
        );
      }
    }
    const { row, outcome } = await upsertNumber(
      deps.db,
      baseNumberId === undefined
        ? { number: params.number, kind: 'base', access_line_id: line.id }
        : {
            number: params.number,
            kind: 'dial_in',
            access_line_id: line.id,
            base_number_id: baseNumberId,
          },
      now,
    );
    if (outcome !== 'created') await deps.state.publish(settingsChangedChannel, row.number);
    return {
      outcome,
      number: row.number,
      kind: row.kind,
      accessLine: line.code,
      ...(body.kind === 'dial_in' ? { baseNumber: body.baseNumber } : {}),
    };
  },
});

async function baseNumberRow(db: Parameters<typeof findNumberRow>[0], number: string) {
  const row = await findNumberRow(db, number);
  if (row === undefined) throw notFound(`number ${number} not found`);
  return row;
}

const putSipCredential = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/sip-credentials',
  summary: 'Set the SIP-ID and password a base number registers with (operator)',
  tags,
  access: operator,
  schema: {
    params: numberParams,
    body: z
      .object({ username: z.string().min(1).max(64), password: z.string().min(8).max(128) })
      .strict(),
  },
  async handler({ deps, params, body, now }) {
    const row = await baseNumberRow(deps.db, params.number);
    // SPEC §2: only base numbers register; dial-ins ring the base number's devices.
    if (row.kind !== 'base') {
      throw invalid('number', `${row.number} is a dial-in number: its base number registers`);
    }
    const other = await deps.db
      .selectFrom('sip_credentials')
      .select('number_id')
      .where('username', '=', body.username)
      .executeTakeFirst();
    if (other !== undefined && other.number_id !== row.id) {
      throw new ApiError(409, 'conflict', `the SIP-ID ${body.username} is in use`, 'username');
    }
    const { outcome } = await upsertSipCredential(
      deps.db,
      { number_id: row.id, username: body.username, password: body.password },
      now,
    );
    // The password is never answered.
    return { outcome, number: row.number, username: body.username };
  },
});

const deleteSipCredentialRoute = defineRoute({
  method: 'DELETE',
  url: '/numbers/:number/sip-credentials',
  summary: 'Remove the SIP credentials of a base number: its devices can no longer register',
  tags,
  access: operator,
  status: 204,
  schema: { params: numberParams },
  async handler({ deps, params }) {
    const row = await baseNumberRow(deps.db, params.number);
    if ((await findCredentialByNumberId(deps.db, row.id)) === undefined) {
      throw notFound(`number ${row.number} has no SIP credentials`);
    }
    await deps.db.deleteFrom('sip_credentials').where('number_id', '=', row.id).execute();
    return undefined;
  },
});

const subscriptionsBody = z
  .object({ subscriptions: z.array(subscriptionSchema) })
  .strict()
  .superRefine((b, ctx) => checkSubscriptions(b.subscriptions, ctx));

const subscriptionView = (subs: Subscription[]) =>
  subs.map((s) =>
    s.operator_number === null ? s.feature : { feature: s.feature, number: s.operator_number },
  );

const putSubscriptions = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/subscriptions',
  summary:
    "Make a number's subscriptions exactly this list (operator); written with a setting-history row, then announced to feature servers",
  tags,
  access: operator,
  schema: { params: numberParams, body: subscriptionsBody },
  async handler({ deps, params, body, principal, now }) {
    const n = await findNumber(deps.db, params.number);
    if (n === undefined) throw notFound(`number ${params.number} not found`);
    const wanted = body.subscriptions.map((s) =>
      typeof s === 'string' ? { feature: s } : { feature: s.feature, operatorNumber: s.number },
    );
    const result = await deps.db.transaction().execute(async (trx) => {
      const before = subscriptionView(await listSubscriptions(trx, { numberId: n.id }));
      const replaced = await replaceSubscriptions(trx, { numberId: n.id }, wanted, now);
      const after = subscriptionView(await listSubscriptions(trx, { numberId: n.id }));
      const changed = replaced.removed > 0 || replaced.outcomes.some((o) => o !== 'unchanged');
      if (changed) {
        await insertSettingHistory(
          trx,
          [
            {
              numberId: n.id,
              siteId: n.siteId,
              voiceGroupId: n.voiceGroupId,
              actor: principal?.account.login ?? 'api',
              feature: 'subscriptions',
              action: 'update',
              before,
              after,
            },
          ],
          now,
        );
      }
      return { changed, after };
    });
    // After the commit, so a feature server that reloads reads the new subscriptions.
    if (result.changed) await deps.state.publish(settingsChangedChannel, n.number);
    return { number: n.number, subscriptions: result.after };
  },
});

export const operatorRoutes = [
  getVoiceGroup,
  putVoiceGroup,
  putSite,
  putAccessLine,
  putNumber,
  putSipCredential,
  deleteSipCredentialRoute,
  putSubscriptions,
];
