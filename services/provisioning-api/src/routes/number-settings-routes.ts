// Per-number settings beside forwarding (SPEC §3.4, §3.6–§3.10), each a GET and a PUT on
// `/numbers/:number/<resource>` with SPEC §4's rights. Every PUT validates with the decision
// core's rules and stores through `changeNumberSetting` (setting history, change notice).
import {
  findNumberSetting,
  screeningCounts,
  type DocumentFeature,
  type NumberFacts,
  type NumberSettingsDocuments,
  type Subscription,
  type SubscriptionFeature,
} from '@ipvoice/db';
import {
  MAX_BLOCKED_CALLERS,
  blockedCallerMessages,
  checkBlockedCaller,
  monthKey,
  previousMonthKey,
  validateForwardingConditions,
} from '@ipvoice/features';
import { z } from 'zod';
import type { Rights } from '../access.ts';
import { ApiError, invalid } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { numberTarget, requireSubscription } from './number-target.ts';
import { defineRoute, type ApiRoute, type RouteContext } from '../route.ts';
import { changeNumberSetting } from './number-setting-change.ts';
import { numberScheduleRoutes } from './number-schedule-routes.ts';

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
type Params = z.infer<typeof numberParams>;

/** SPEC §4: nuisance blocking, anonymous rejection, caller ID, special forwarding… */
const adminsAndOwner: Rights = { group_admin: true, site_admin: true, user: 'own' };
/** SPEC §4: international barring, specific number presentation, outgoing restriction. */
const adminsOnly: Rights = { group_admin: true, site_admin: true, user: false };

/** What a document resource's hooks see of the request. */
interface DocumentContext {
  deps: ApiDeps;
  number: NumberFacts;
  /** The feature's subscription, when the resource needs one. */
  subscription: Subscription | undefined;
  now: Date;
}

/**
 * A GET and a PUT over one `number_settings` document. `toDocument` validates the body and
 * gives what is stored (throwing `invalid` for the first problem); `view` is what both
 * answer, by default the document itself.
 */
function documentRoutes<F extends DocumentFeature, B>(spec: {
  path: string;
  feature: F;
  what: string;
  roles: Rights;
  needs?: SubscriptionFeature;
  body: z.ZodType<B>;
  /** Shown while nothing is stored (SPEC's defaults). */
  initial(ctx: DocumentContext): NumberSettingsDocuments[F];
  toDocument(body: B, ctx: DocumentContext): Promise<NumberSettingsDocuments[F]>;
  view?(document: NumberSettingsDocuments[F], ctx: DocumentContext): Promise<unknown>;
  /** Refuses a number the setting does not apply to, before anything else. */
  applies?(n: NumberFacts): void;
}): ApiRoute[] {
  const url = `/numbers/:number/${spec.path}`;
  const access = { resource: 'number', roles: spec.roles } as const;
  const context = async ({ deps, target, now }: RouteContext<Params, unknown, unknown>) => {
    const n = numberTarget(target.number);
    spec.applies?.(n);
    const sub =
      spec.needs === undefined ? undefined : await requireSubscription(deps.db, n, spec.needs);
    return { deps, number: n, subscription: sub, now };
  };
  const view = async (doc: NumberSettingsDocuments[F], ctx: DocumentContext) =>
    spec.view ? spec.view(doc, ctx) : doc;
  return [
    defineRoute({
      method: 'GET',
      url,
      summary: spec.what,
      tags: ['numbers'],
      access,
      schema: { params: numberParams },
      async handler(route) {
        const ctx = await context(route);
        const stored = await findNumberSetting(ctx.deps.db, ctx.number.id, spec.feature);
        return view(stored ?? spec.initial(ctx), ctx);
      },
    }),
    defineRoute({
      method: 'PUT',
      url,
      summary: `Replace: ${spec.what}; written with its setting-history row, then announced to feature servers`,
      tags: ['numbers'],
      access,
      schema: { params: numberParams, body: spec.body },
      async handler(route) {
        const ctx = await context(route);
        const after = await spec.toDocument(route.body, ctx);
        await changeNumberSetting({
          deps: ctx.deps,
          principal: route.principal,
          number: ctx.number,
          feature: spec.feature,
          after,
          now: ctx.now,
        });
        return view(after, ctx);
      },
    }),
  ];
}

const enabledBody = z.object({ enabled: z.boolean() });

const callerId = documentRoutes({
  path: 'caller-id',
  feature: 'caller_id',
  what: 'Caller ID presentation on outgoing calls (SPEC §3.6)',
  roles: adminsAndOwner,
  body: z.object({ presentation: z.enum(['present', 'withhold']) }),
  // SPEC §3.6: present by default.
  initial: () => ({ presentation: 'present' }),
  toDocument: async (body) => ({ presentation: body.presentation }),
});

const anonymousRejection = documentRoutes({
  path: 'anonymous-rejection',
  feature: 'anonymous_rejection',
  what: 'Anonymous call rejection (SPEC §3.7)',
  roles: adminsAndOwner,
  needs: 'anonymous_rejection',
  body: enabledBody,
  // SPEC §3.7: on by default once subscribed.
  initial: () => ({ enabled: true }),
  toDocument: async (body) => ({ enabled: body.enabled }),
});

const nuisanceBlocking = documentRoutes({
  path: 'nuisance-blocking',
  feature: 'nuisance_blocking',
  what: 'Nuisance call blocking: the blocked callers and the rejected calls this and last month (SPEC §3.8)',
  roles: adminsAndOwner,
  needs: 'nuisance_blocking',
  // Shape only; the §3.8 rules are the features package's, their messages verbatim.
  body: z.object({ numbers: z.array(z.string().max(64)).max(1000) }),
  initial: () => ({ entries: [] }),
  async toDocument(body, { deps, number: n, now }) {
    if (body.numbers.length > MAX_BLOCKED_CALLERS) {
      throw invalid('numbers', blockedCallerMessages.tooMany);
    }
    const numbers: string[] = [];
    body.numbers.forEach((input, i) => {
      const checked = checkBlockedCaller(input);
      if (!checked.ok) throw invalid(`numbers.${i}`, checked.message);
      if (numbers.includes(checked.number)) {
        throw invalid(`numbers.${i}`, blockedCallerMessages.duplicate(checked.number));
      }
      numbers.push(checked.number);
    });
    // SPEC §3.8: each entry keeps the time it was first registered (as provisioning does).
    const previous = await findNumberSetting(deps.db, n.id, 'nuisance_blocking');
    const since = new Map((previous?.entries ?? []).map((e) => [e.number, e.registeredAt]));
    return {
      entries: numbers.map((number) => ({
        number,
        registeredAt: since.get(number) ?? now.toISOString(),
      })),
    };
  },
  async view(document, { deps, number: n, now }) {
    // SPEC §3.8: months of the voice group's calendar, as the feature server counts them.
    const thisMonth = monthKey(now.getTime(), n.timeZone);
    const counts = await screeningCounts(deps.db, n.id, 'nuisance_blocking', {
      thisMonth,
      lastMonth: previousMonthKey(thisMonth),
    });
    return { entries: document.entries, rejectedCalls: counts };
  },
});

const internationalBarring = documentRoutes({
  path: 'international-barring',
  feature: 'international_barring',
  what: 'International call barring (SPEC §3.9)',
  roles: adminsOnly,
  body: enabledBody,
  initial: () => ({ enabled: false }),
  toDocument: async (body) => ({ enabled: body.enabled }),
});

const operatorNumber = (sub: Subscription | undefined) => sub?.operator_number ?? null;

const specificNumberPresentation = documentRoutes({
  path: 'specific-number-presentation',
  feature: 'specific_number_presentation',
  what: "Specific number presentation (SPEC §3.6): the toggle; the number is the operator's, read-only",
  roles: adminsOnly,
  needs: 'specific_number_presentation',
  body: enabledBody,
  // SPEC §3.6: on by default once subscribed.
  initial: () => ({ enabled: true }),
  toDocument: async (body) => ({ enabled: body.enabled }),
  view: async (document, { subscription: sub }) => ({
    ...document,
    number: operatorNumber(sub),
  }),
});

const categories = [
  'international',
  'premium_rate_0990',
  'navi_dial_0570',
  'all_except_emergency',
] as const;

const outgoingRestriction = documentRoutes({
  path: 'outgoing-restriction',
  feature: 'outgoing_restriction',
  what: 'Outgoing call restriction by category, per base number (SPEC §3.10)',
  roles: adminsOnly,
  body: z.object({ categories: z.array(z.enum(categories)) }),
  initial: () => ({ categories: [] }),
  // Stored once each, in the order of SPEC §3.10's list.
  toDocument: async (body) => ({
    categories: categories.filter((c) => body.categories.includes(c)),
  }),
  applies(n) {
    if (n.kind === 'dial_in') {
      throw new ApiError(
        409,
        'not_base_number',
        `${n.number} is a dial-in number: outgoing restriction is set on its base number (SPEC §3.10)`,
      );
    }
  },
});

const specialForwarding = documentRoutes({
  path: 'special-forwarding',
  feature: 'special_number_forwarding',
  what: "Forwarding to a special number (SPEC §3.4): switch, conditions and ring time; the target is the operator's, read-only",
  roles: adminsAndOwner,
  needs: 'special_number_forwarding',
  body: z.object({
    enabled: z.boolean(),
    unconditional: z.boolean(),
    onBusy: z.boolean(),
    onNoAnswer: z.boolean(),
    onUnreachable: z.boolean(),
    ringTimeSeconds: z.number(),
  }),
  initial: () => ({
    enabled: false,
    unconditional: false,
    onBusy: false,
    onNoAnswer: false,
    onUnreachable: false,
    ringTimeSeconds: 20,
  }),
  async toDocument(body) {
    const problems = validateForwardingConditions(body);
    const first = problems[0];
    if (first !== undefined) throw invalid(first.field, first.message, { problems });
    return {
      enabled: body.enabled,
      unconditional: body.unconditional,
      onBusy: body.onBusy,
      onNoAnswer: body.onNoAnswer,
      onUnreachable: body.onUnreachable,
      ringTimeSeconds: body.ringTimeSeconds,
    };
  },
  view: async (document, { subscription: sub }) => ({ ...document, target: operatorNumber(sub) }),
});

export const numberSettingsRoutes: ApiRoute[] = [
  ...callerId,
  ...anonymousRejection,
  ...nuisanceBlocking,
  ...internationalBarring,
  ...specificNumberPresentation,
  ...outgoingRestriction,
  ...specialForwarding,
  ...numberScheduleRoutes,
];
