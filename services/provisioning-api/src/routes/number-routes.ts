// Per-number resources (SPEC §3.1 forwarding, §4 setting history), each within scope.
import {
  findForwardingSetting,
  listSettingHistory,
  listSubscriptions,
  upsertForwardingSetting,
  type ForwardingSetting,
} from '@ipvoice/db';
import { validateForwardingSetting } from '@ipvoice/features';
import { assertForwardingEditAllowed, ForwardingCsvConflictError } from '@ipvoice/forwarding-csv';
import { z } from 'zod';
import { ApiError, invalid } from '../api-error.ts';
import { numberTarget } from './number-target.ts';
import { defineRoute } from '../route.ts';
import { forwardingContext, recordChange, storedSlots } from './number-setting-change.ts';

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
const admins = { group_admin: true, site_admin: true } as const;

/** Shown (and a PUT's `before`) for a number that never had a forwarding setting. */
export const forwardingOff: ForwardingSetting = {
  enabled: false,
  unconditional: false,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: null,
  slots: [null, null, null, null, null],
};

// Types only: ranges and target rules are the decision core's, so its messages reach the
// client verbatim (validateForwardingSetting).
const slot = z.string().max(64).nullable();
export const forwardingBody = z.object({
  enabled: z.boolean(),
  unconditional: z.boolean(),
  onBusy: z.boolean(),
  onNoAnswer: z.boolean(),
  onUnreachable: z.boolean(),
  ringTimeSeconds: z.number(),
  activeTarget: z.enum(['slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'voicemail']).nullable(),
  slots: z.tuple([slot, slot, slot, slot, slot]),
});

const facts = defineRoute({
  method: 'GET',
  url: '/numbers/:number',
  summary: 'A number with its access line, site, voice group and subscriptions',
  tags: ['numbers'],
  access: { resource: 'number', roles: { ...admins, user: 'own' } },
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    const n = numberTarget(t.number);
    const subscriptions = await listSubscriptions(deps.db, { numberId: n.id });
    return {
      number: n.number,
      kind: n.kind,
      accessLine: n.accessLineCode,
      channels: n.channels,
      site: n.siteCode,
      voiceGroup: n.voiceGroupCode,
      timeZone: n.timeZone,
      subscriptions: subscriptions.map((s) => s.feature),
    };
  },
});

const getForwarding = defineRoute({
  method: 'GET',
  url: '/numbers/:number/forwarding',
  summary: 'The call forwarding setting (SPEC §3.1)',
  tags: ['numbers'],
  access: { resource: 'number', roles: { ...admins, user: 'own' } },
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    return (await findForwardingSetting(deps.db, numberTarget(t.number).id)) ?? forwardingOff;
  },
});

const putForwarding = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/forwarding',
  summary:
    'Replace the call forwarding setting (SPEC §3.1); written with its setting-history row, then announced to feature servers',
  tags: ['numbers'],
  access: { resource: 'number', roles: { ...admins, user: 'own' } },
  schema: { params: numberParams, body: forwardingBody },
  async handler({ deps, target: t, body, principal, now }) {
    const n = numberTarget(t.number);
    const context = await forwardingContext(deps.db, n);
    const problems = validateForwardingSetting(body, context);
    const first = problems[0];
    if (first !== undefined) throw invalid(first.field, first.message, { problems });
    const after: ForwardingSetting = { ...body, slots: storedSlots(body.slots, context) };
    // SPEC §4 conflicts: refused while a CSV upload or bulk start/stop is changing this number.
    try {
      await assertForwardingEditAllowed(deps.state, { siteId: n.siteId, numberId: n.id });
    } catch (err) {
      if (err instanceof ForwardingCsvConflictError)
        throw new ApiError(409, 'conflict', err.message);
      throw err;
    }
    await recordChange({
      deps,
      principal,
      number: n,
      feature: 'forwarding',
      action: 'update',
      now,
      async write(trx) {
        const before = await findForwardingSetting(trx, n.id);
        return { outcome: await upsertForwardingSetting(trx, n.id, after, now), before };
      },
      history: (before) => ({ before: before ?? null, after }),
    });
    return after;
  },
});

const isoTime = z.iso.datetime({ offset: true });
const history = defineRoute({
  method: 'GET',
  url: '/numbers/:number/history',
  summary: 'Setting history of the number (SPEC §4), newest first, optionally within [from, to]',
  tags: ['numbers'],
  access: { resource: 'number', roles: { ...admins, user: 'own' } },
  schema: {
    params: numberParams,
    querystring: z.object({
      from: isoTime.optional(),
      to: isoTime.optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  async handler({ deps, target: t, query }) {
    const to = query.to === undefined ? undefined : Date.parse(query.to);
    const entries = await listSettingHistory(deps.db, {
      numberId: numberTarget(t.number).id,
      ...(query.from === undefined ? {} : { since: new Date(query.from) }),
      // `to` is applied below; read enough to fill the page after it.
      limit: to === undefined ? (query.limit ?? 100) : 10_000,
    });
    const within =
      to === undefined ? entries : entries.filter((e) => Date.parse(e.createdAt) <= to);
    return { entries: within.slice(0, query.limit ?? 100) };
  },
});

export const numberRoutes = [facts, getForwarding, putForwarding, history];
