import { blockedCallerMessages, validatePin } from '@ipvoice/features';
import { z } from 'zod';
import { countHyphens, forwardingTargetProblem, stripHyphens } from './phone-number.ts';

/** Digits with up to 3 hyphens, stripped on the way in (SPEC §2). */
function digitsWithHyphens(pattern: RegExp, message: string) {
  return z
    .string()
    .regex(/^[0-9-]+$/, 'digits and hyphens only')
    .refine((s) => countHyphens(s) <= 3, 'at most 3 hyphens')
    .transform(stripHyphens)
    .pipe(z.string().regex(pattern, message));
}

/** SPEC §2: national format, 050 IP numbers and 0ABJ fixed numbers, 10–11 digits. */
export const phoneNumber = digitsWithHyphens(
  /^0[0-9]{9,10}$/,
  'a national number: 0 then 9–10 digits',
);

/** SPEC §3.4 / §3.6: a toll-free or navi-dial number fixed by the operator. */
export const operatorNumber = digitsWithHyphens(
  /^(0120[0-9]{6}|0570[0-9]{6}|0800[0-9]{7})$/,
  'a toll-free or navi-dial number (0120, 0570, 0800)',
);

/** SPEC §3.8: callers to block, 01–09 start, up to 11 digits (13 characters with hyphens). */
export const callerNumber = z
  .string()
  // The API's rule and messages (packages/features checkBlockedCaller), written so the
  // JSON Schema keeps the pattern for editors.
  .max(13, blockedCallerMessages.length)
  .pipe(digitsWithHyphens(/^0[1-9][0-9]{0,9}$/, blockedCallerMessages.number));

/** SPEC §3.1: at most 32 digits, ≤ 3 hyphens (≤ 35 characters), and the refusal list. */
export const forwardingTarget = z
  .string()
  .max(35, 'at most 35 characters')
  .refine((s) => countHyphens(s) <= 3, 'at most 3 hyphens')
  .transform(stripHyphens)
  .superRefine((digits, ctx) => {
    const problem = forwardingTargetProblem(digits);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const condition = z.enum(['busy', 'noAnswer', 'unreachable']);

/** SPEC §3.1: `unconditional`, exclusive, or any combination of the other three. */
const when = z.union([
  z.literal('unconditional'),
  z
    .array(condition)
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'a condition is listed twice'),
]);

/** SPEC §3.1: integer seconds, 5–30. */
const ringTime = z.number().int().min(5).max(30);

/** SPEC §3.1: one forwarding setting, also the shape of a §3.2 pattern. */
export const forwarding = z
  .object({
    enabled: z.boolean(),
    when,
    ringTime: ringTime.default(20),
    /** Slot 1 first; `null` leaves a slot empty. */
    slots: z.array(forwardingTarget.nullable()).min(1).max(5),
    /** The active target: a slot number or voicemail. */
    target: z
      .union([z.number().int().min(1).max(5), z.literal('voicemail')])
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (typeof f.target === 'number' && (f.slots[f.target - 1] ?? null) === null) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `slot ${f.target} is empty` });
    }
    if (f.enabled && f.target === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: 'an enabled forwarding needs a target',
      });
    }
  });

const dayOfWeek = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** SPEC §3.2: named patterns and weekly entries switching between them. */
export const schedule = z
  .object({
    patterns: z.array(forwarding.and(z.object({ name: z.string().min(1) }))).min(1),
    entries: z.array(
      z
        .object({
          days: z.array(dayOfWeek).min(1),
          start: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM, 00:00–23:59'),
          pattern: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = s.patterns.map((p) => p.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['patterns', i, 'name'],
          message: `pattern "${name}" is defined twice`,
        });
    });
    s.entries.forEach((entry, i) => {
      if (!names.includes(entry.pattern)) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'pattern'],
          message: `no pattern named "${entry.pattern}"`,
        });
      }
    });
  });

const enabled = z.object({ enabled: z.boolean() }).strict();
const email = z.email();

/** SPEC §3.11 */
export const voicemail = z
  .object({
    guidance: z.enum(['record', 'announce_only']).default('record'),
    greeting: z.enum(['system', 'custom']).default('system'),
    maxMessages: z.number().int().min(1).max(100).default(20),
    pin: z
      .string()
      .superRefine((pin, ctx) => {
        const check = validatePin(pin);
        if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
      })
      .nullable()
      .default(null),
    notification: z
      .object({
        addresses: z.array(email).max(3, 'at most 3 addresses').default([]),
        condition: z.enum(['none', 'on_call', 'on_recording']).default('none'),
        attachAudio: z.boolean().default(false),
      })
      .strict()
      .default({ addresses: [], condition: 'none', attachAudio: false }),
  })
  .strict();

/** SPEC §3.12 */
export const incomingCallNotice = z
  .object({
    enabled: z.boolean(),
    addresses: z
      .array(z.object({ address: email, send: z.boolean().default(true) }).strict())
      .max(5, 'at most 5 addresses'),
    callers: z
      .union([
        z.literal('all'),
        z.object({ list: z.array(phoneNumber).max(30, 'at most 30 numbers') }).strict(),
      ])
      .default('all'),
    calls: z.enum(['all', 'unanswered']).default('all'),
  })
  .strict();

/** Features an operator subscribes per number (SPEC §3). */
export const numberFeature = z.enum([
  'special_number_forwarding',
  'hunt_group',
  'specific_number_presentation',
  'anonymous_rejection',
  'nuisance_blocking',
  'voicemail',
  'incoming_call_notice',
]);

/** Two features carry the operator's fixed number: `{ feature, number }`. */
export const subscription = z.union([
  numberFeature,
  z
    .object({
      feature: z.enum(['special_number_forwarding', 'specific_number_presentation']),
      number: operatorNumber,
    })
    .strict(),
]);

/** The settings any number (base or dial-in) may carry; each optional, left alone when omitted. */
const numberSettings = {
  subscriptions: z.array(subscription).default([]),
  forwarding: forwarding.optional(),
  schedule: schedule.optional(),
  specialNumberForwarding: z
    .object({ enabled: z.boolean(), when, ringTime: ringTime.default(20) })
    .strict()
    .optional(),
  callerId: z
    .object({ presentation: z.enum(['present', 'withhold']) })
    .strict()
    .optional(),
  specificNumberPresentation: enabled.optional(),
  anonymousRejection: enabled.optional(),
  nuisanceBlocking: z
    .object({ numbers: z.array(callerNumber).max(30, 'at most 30 numbers') })
    .strict()
    .optional(),
  internationalBarring: enabled.optional(),
  voicemail: voicemail.optional(),
  incomingCallNotice: incomingCallNotice.optional(),
};

type Feature = z.infer<typeof numberFeature>;
type SettingKey = keyof typeof numberSettings;

/** Settings that only make sense with their subscription. */
const requiredSubscription: Partial<Record<SettingKey, Feature>> = {
  specialNumberForwarding: 'special_number_forwarding',
  specificNumberPresentation: 'specific_number_presentation',
  anonymousRejection: 'anonymous_rejection',
  nuisanceBlocking: 'nuisance_blocking',
  voicemail: 'voicemail',
  incomingCallNotice: 'incoming_call_notice',
};

export function subscribedFeatures(subscriptions: Array<z.infer<typeof subscription>>): Feature[] {
  return subscriptions.map((s) => (typeof s === 'string' ? s : s.feature));
}

interface SettingsView {
  number: string;
  subscriptions: Array<z.infer<typeof subscription>>;
  forwarding?: z.infer<typeof forwarding> | undefined;
  schedule?: z.infer<typeof schedule> | undefined;
}

/** A number's subscription list: the operator's number where a feature carries one, and
 * each feature once (issues at `subscriptions[i]`). */
export function checkSubscriptions(
  subscriptions: Array<z.infer<typeof subscription>>,
  ctx: z.RefinementCtx,
): void {
  const features = subscribedFeatures(subscriptions);
  subscriptions.forEach((s, i) => {
    if (s === 'special_number_forwarding' || s === 'specific_number_presentation') {
      ctx.addIssue({
        code: 'custom',
        path: ['subscriptions', i],
        message: `${s} needs the operator's number: { feature: ${s}, number: … }`,
      });
    }
    if (features.indexOf(typeof s === 'string' ? s : s.feature) !== i) {
      ctx.addIssue({ code: 'custom', path: ['subscriptions', i], message: 'subscribed twice' });
    }
  });
}

function checkNumberSettings(
  n: SettingsView & Record<string, unknown>,
  ctx: z.RefinementCtx,
): void {
  const features = subscribedFeatures(n.subscriptions);
  checkSubscriptions(n.subscriptions, ctx);
  for (const [key, feature] of Object.entries(requiredSubscription)) {
    if (n[key] !== undefined && !features.includes(feature)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `needs the ${feature} subscription` });
    }
  }
  const forwardings = [
    ...(n.forwarding ? [{ f: n.forwarding, path: ['forwarding'] }] : []),
    ...(n.schedule?.patterns ?? []).map((f, i) => ({ f, path: ['schedule', 'patterns', i] })),
  ];
  for (const { f, path } of forwardings) {
    // SPEC §3.1: voicemail is a target only with the voicemail subscription.
    if (f.target === 'voicemail' && !features.includes('voicemail')) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'target'],
        message: 'voicemail needs the voicemail subscription',
      });
    }
    // SPEC §3.1: the number itself is refused.
    f.slots.forEach((slot, i) => {
      if (slot === n.number)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'slots', i],
          message: 'a number cannot forward to itself',
        });
    });
  }
}

export const dialInNumber = z
  .object({ number: phoneNumber, ...numberSettings })
  .strict()
  .superRefine(checkNumberSettings);

export const baseNumber = z
  .object({
    number: phoneNumber,
    /** SPEC §1: the SIP-ID and password devices register with. */
    sip: z
      .object({ username: z.string().min(1).max(64), password: z.string().min(8).max(128) })
      .strict()
      .optional(),
    /** SPEC §3.10: per base number. */
    outgoingRestriction: z
      .object({
        categories: z.array(
          z.enum(['international', 'premium_rate_0990', 'navi_dial_0570', 'all_except_emergency']),
        ),
      })
      .strict()
      .optional(),
    dialIns: z.array(dialInNumber).default([]),
    ...numberSettings,
  })
  .strict()
  .superRefine(checkNumberSettings);

/** SPEC §2 codes and the voice group's zone, as the provisioning file and the API take them. */
export const accessLineCode = z.string().regex(/^N[0-9]{9}$/, '"N" followed by 9 digits');
export const siteCode = z.string().regex(/^[0-9]{7}$/, '7 digits');
export const voiceGroupCode = z.string().regex(/^VG[0-9]{5}$/, '"VG" followed by 5 digits');
export const timeZone = z
  .string()
  .refine(
    (tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC',
    'an IANA time zone such as Asia/Tokyo',
  );

export const accessLine = z
  .object({
    code: accessLineCode,
    channels: z.number().int().min(1, 'at least 1 channel').max(10000),
    /** SPEC §3.3: bulk forwarding is subscribed per access line. */
    subscriptions: z.array(z.literal('bulk_forwarding')).max(1).default([]),
    numbers: z.array(baseNumber).default([]),
  })
  .strict()
  .superRefine((line, ctx) => {
    if (!line.subscriptions.includes('bulk_forwarding')) return;
    // SPEC §3.1: with bulk forwarding, slot 5 holds its target and must be set.
    line.numbers.forEach((n, i) => {
      if (n.forwarding !== undefined && (n.forwarding.slots[4] ?? null) === null) {
        ctx.addIssue({
          code: 'custom',
          path: ['numbers', i, 'forwarding', 'slots'],
          message: 'slot 5 must be set when bulk forwarding is subscribed',
        });
      }
    });
  });

export const huntGroup = z
  .object({
    pilot: phoneNumber,
    mode: z.enum(['sequential', 'round_robin']).default('sequential'),
    callerId: z.enum(['pilot', 'individual']).default('pilot'),
    /** Beyond the manual: skip a member after this many seconds unanswered. */
    noAnswerTime: z.number().int().min(5).max(120).optional(),
    members: z.array(phoneNumber).min(1, 'a hunt group needs a member besides the pilot'),
  })
  .strict();

export const bulkForwardingGroup = z
  .object({
    name: z.string().min(1).max(100),
    members: z.array(phoneNumber).max(1000, 'at most 1,000 numbers'),
  })
  .strict();

export const site = z
  .object({
    code: siteCode,
    name: z.string().min(1),
    accessLines: z.array(accessLine).default([]),
    huntGroups: z.array(huntGroup).default([]),
    bulkForwardingGroups: z.array(bulkForwardingGroup).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const base = new Map<string, { features: Feature[]; bulk: boolean }>();
    const all = new Set<string>();
    for (const line of s.accessLines) {
      for (const n of line.numbers) {
        base.set(n.number, {
          features: subscribedFeatures(n.subscriptions),
          bulk: line.subscriptions.length > 0,
        });
        all.add(n.number);
        for (const d of n.dialIns) all.add(d.number);
      }
    }
    const inGroup = new Set<string>();
    s.huntGroups.forEach((g, i) => {
      // SPEC §3.5: pilot and members are base numbers of this site, each in one group at most.
      [g.pilot, ...g.members].forEach((number, j) => {
        const path = j === 0 ? ['huntGroups', i, 'pilot'] : ['huntGroups', i, 'members', j - 1];
        if (!base.has(number))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${number} is not a base number of this site`,
          });
        if (inGroup.has(number))
          ctx.addIssue({ code: 'custom', path, message: `${number} is already in a hunt group` });
        inGroup.add(number);
      });
      if (base.has(g.pilot) && !base.get(g.pilot)?.features.includes('hunt_group')) {
        ctx.addIssue({
          code: 'custom',
          path: ['huntGroups', i, 'pilot'],
          message: 'the pilot needs the hunt_group subscription',
        });
      }
    });
    s.bulkForwardingGroups.forEach((g, i) => {
      g.members.forEach((number, j) => {
        if (!all.has(number)) {
          ctx.addIssue({
            code: 'custom',
            path: ['bulkForwardingGroups', i, 'members', j],
            message: `${number} is not a number of this site`,
          });
        }
      });
    });
  });

export const voiceGroup = z
  .object({
    code: voiceGroupCode,
    name: z.string().min(1),
    timeZone: timeZone.default('Asia/Tokyo'),
    sites: z.array(site).default([]),
  })
  .strict();

/** A whole provisioning file. */
export const provisioningDocument = z
  .object({
    version: z.literal(1),
    voiceGroups: z.array(voiceGroup),
  })
  .strict()
  .superRefine((doc, ctx) => {
    // Natural keys are unique across the file, not only within their parent.
    const seen = new Map<string, string>();
    const claim = (key: string, path: Array<string | number>) => {
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${key.split(':')[1]} also appears at ${seen.get(key)}`,
        });
      else seen.set(key, formatPath(path));
    };
    doc.voiceGroups.forEach((g, gi) => {
      claim(`voice group:${g.code}`, ['voiceGroups', gi, 'code']);
      g.sites.forEach((s, si) => {
        const sp = ['voiceGroups', gi, 'sites', si];
        claim(`site:${s.code}`, [...sp, 'code']);
        s.accessLines.forEach((l, li) => {
          const lp = [...sp, 'accessLines', li];
          claim(`access line:${l.code}`, [...lp, 'code']);
          l.numbers.forEach((n, ni) => {
            const np = [...lp, 'numbers', ni];
            claim(`number:${n.number}`, [...np, 'number']);
            if (n.sip) claim(`SIP-ID:${n.sip.username}`, [...np, 'sip', 'username']);
            n.dialIns.forEach((d, di) =>
              claim(`number:${d.number}`, [...np, 'dialIns', di, 'number']),
            );
          });
        });
      });
    });
  });

export type ProvisioningInput = z.input<typeof provisioningDocument>;
export type ProvisioningDocument = z.output<typeof provisioningDocument>;

/** `voiceGroups[0].sites[1].code` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number'
        ? `${text}[${key}]`
        : text === ''
          ? String(key)
          : `${text}.${String(key)}`,
    '',
  );
}
