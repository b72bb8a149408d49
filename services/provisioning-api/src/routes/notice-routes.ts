// SPEC §3.12 incoming-call e-mail notification through the API: the setting (same rules and
// messages as the provisioning files) and "send test mail" to its addresses.
import { findNumberSetting, type NumberSettingsDocuments } from '@ipvoice/db';
import { addressTestMail, queueMail } from '@ipvoice/notifier';
import { incomingCallNoticeSchema } from '@ipvoice/provisioning';
import { z } from 'zod';
import { ApiError, invalid } from '../api-error.ts';
import { defineRoute } from '../route.ts';
import { changeNumberSetting } from './number-setting-change.ts';
import { numberTarget, requireSubscription } from './number-target.ts';

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
// SPEC §4 lists it with nothing of its own: treated like the voicemail settings.
const rights = { group_admin: true, site_admin: true, user: 'own' } as const;

type Notice = NumberSettingsDocuments['incoming_call_notice'];
type NoticeBody = z.output<typeof incomingCallNoticeSchema>;

const off: Notice = {
  enabled: false,
  addresses: [],
  callers: 'all',
  callerList: [],
  calls: 'all',
};

/** Shown as the provisioning files write it: callers `all` or `{ list }`. */
const view = (s: Notice): NoticeBody => ({
  enabled: s.enabled,
  addresses: s.addresses,
  callers: s.callers === 'all' ? 'all' : { list: s.callerList },
  calls: s.calls,
});

/** Stored as provisioning stores it (apply-provisioning.ts). */
const stored = (b: NoticeBody): Notice => ({
  enabled: b.enabled,
  addresses: b.addresses,
  callers: b.callers === 'all' ? 'all' : 'listed',
  callerList: b.callers === 'all' ? [] : b.callers.list,
  calls: b.calls,
});

const getNotice = defineRoute({
  method: 'GET',
  url: '/numbers/:number/incoming-call-notice',
  summary: 'The incoming-call e-mail notification (SPEC §3.12)',
  tags: ['incoming-call notice'],
  access: { resource: 'number', roles: rights },
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'incoming_call_notice');
    return view((await findNumberSetting(deps.db, n.id, 'incoming_call_notice')) ?? off);
  },
});

const putNotice = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/incoming-call-notice',
  summary:
    'Replace the incoming-call e-mail notification (SPEC §3.12): up to 5 addresses, callers all or up to 30 listed, calls all or unanswered',
  tags: ['incoming-call notice'],
  access: { resource: 'number', roles: rights },
  schema: { params: numberParams, body: incomingCallNoticeSchema },
  async handler({ deps, target: t, body, principal, now }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'incoming_call_notice');
    const after = stored(body);
    await changeNumberSetting({
      deps,
      principal,
      number: n,
      feature: 'incoming_call_notice',
      after,
      now,
    });
    return view(after);
  },
});

const testMail = defineRoute({
  method: 'POST',
  url: '/numbers/:number/incoming-call-notice/test-mail',
  summary:
    'Queue a test mail to one of the addresses, or to each of them when none is named (SPEC §3.12)',
  tags: ['incoming-call notice'],
  access: { resource: 'number', roles: rights },
  schema: {
    params: numberParams,
    body: z.object({ address: z.email().optional() }).strict().optional(),
  },
  async handler({ deps, target: t, body, now }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'incoming_call_notice');
    // As provisioning's queueTestMail: only the setting's addresses, each its own mail.
    const settings = await findNumberSetting(deps.db, n.id, 'incoming_call_notice');
    const listed = (settings?.addresses ?? []).map((a) => a.address);
    if (listed.length === 0)
      throw new ApiError(409, 'conflict', `${n.number} has no incoming-call notice addresses`);
    const address = body?.address;
    if (address !== undefined && !listed.includes(address))
      throw invalid(
        'address',
        `${address} is not an incoming-call notice address of ${n.number} (${listed.join(', ')})`,
      );
    const to = address === undefined ? listed : [address];
    const language = deps.config.mail.language;
    await deps.db.transaction().execute(async (trx) => {
      for (const a of to)
        await queueMail(trx, addressTestMail([a], { language, number: n.number }), now);
    });
    return { queued: to };
  },
});

export const noticeRoutes = [getNotice, putNotice, testMail];
