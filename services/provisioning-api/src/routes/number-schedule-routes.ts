// SPEC §3.2 scheduled forwarding: a number's named patterns (each a full §3.1 setting) and
// its weekly entries (days, start time) → pattern. Stored as the provisioning file stores
// them (`replaceForwardingSchedule`); the scheduler reads them on its next pass and, finding
// its last switch's pattern replaced, switches the number to the entry in force.
import {
  findForwardingSchedule,
  findScheduledForwarding,
  replaceForwardingSchedule,
  type ForwardingSchedule,
  type NumberFacts,
} from '@ipvoice/db';
import { validateForwardingSetting } from '@ipvoice/features';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { invalid } from '../api-error.ts';
import { numberTarget } from './number-target.ts';
import { defineRoute, type ApiRoute } from '../route.ts';
import { forwardingBody } from './number-routes.ts';
import { forwardingContext, recordChange, storedSlots } from './number-setting-change.ts';

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
const access = {
  resource: 'number',
  roles: { group_admin: true, site_admin: true, user: 'own' },
} as const;

export const scheduleMessages = {
  startTime: 'HH:MM, 00:00–23:59',
  noDay: 'at least one day of the week',
  patternName: 'a pattern name is 1–64 characters',
  twice: (name: string) => `pattern "${name}" is defined twice`,
  unknown: (name: string) => `no pattern named "${name}"`,
} as const;

const day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export const scheduleBody = z.object({
  patterns: z.array(
    z.object({
      name: z.string().min(1, scheduleMessages.patternName).max(64, scheduleMessages.patternName),
      setting: forwardingBody,
    }),
  ),
  entries: z.array(
    z.object({
      days: z.array(day).min(1, scheduleMessages.noDay),
      // As the provisioning file and the scheduler read it (features' schedule.ts).
      startTime: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, scheduleMessages.startTime),
      pattern: z.string(),
    }),
  ),
});
type ScheduleBody = z.infer<typeof scheduleBody>;

/** Validates the schedule (first problem → 400 naming its field) and gives it as stored:
 * slots normalized, each entry's days once each. */
async function toSchedule(
  deps: ApiDeps,
  n: NumberFacts,
  body: ScheduleBody,
): Promise<ForwardingSchedule> {
  const context = await forwardingContext(deps.db, n);
  const names: string[] = [];
  const patterns = body.patterns.map((p, i) => {
    if (names.includes(p.name)) throw invalid(`patterns.${i}.name`, scheduleMessages.twice(p.name));
    names.push(p.name);
    const problems = validateForwardingSetting(p.setting, context);
    const first = problems[0];
    if (first !== undefined) {
      throw invalid(`patterns.${i}.setting.${first.field}`, first.message, { problems });
    }
    return {
      name: p.name,
      setting: { ...p.setting, slots: storedSlots(p.setting.slots, context) },
    };
  });
  const entries = body.entries.map((e, i) => {
    if (!names.includes(e.pattern)) {
      throw invalid(`entries.${i}.pattern`, scheduleMessages.unknown(e.pattern));
    }
    return { days: [...new Set(e.days)], startTime: e.startTime, pattern: e.pattern };
  });
  return { patterns, entries };
}

/** The schedule with the pattern the scheduler last switched the number to (null: none). */
async function scheduleView(deps: ApiDeps, n: NumberFacts) {
  const schedule = await findForwardingSchedule(deps.db, n.id);
  const active = await findScheduledForwarding(deps.db, n.id);
  return { ...schedule, activePattern: active?.patternName ?? null };
}

const getSchedule = defineRoute({
  method: 'GET',
  url: '/numbers/:number/schedule',
  summary:
    'Scheduled forwarding (SPEC §3.2): the patterns, the weekly entries, and the pattern in force',
  tags: ['numbers'],
  access,
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    return scheduleView(deps, numberTarget(t.number));
  },
});

const putSchedule = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/schedule',
  summary:
    'Replace the scheduled forwarding (SPEC §3.2); written with its setting-history row, then announced to feature servers',
  tags: ['numbers'],
  access,
  schema: { params: numberParams, body: scheduleBody },
  async handler({ deps, target: t, body, principal, now }) {
    const n = numberTarget(t.number);
    const after = await toSchedule(deps, n, body);
    await recordChange({
      deps,
      principal,
      number: n,
      feature: 'forwarding_schedule',
      now,
      async write(trx) {
        const before = await findForwardingSchedule(trx, n.id);
        return { outcome: await replaceForwardingSchedule(trx, n.id, after, now), before };
      },
      history: (before) => ({ before, after }),
    });
    // The replaced patterns took the scheduler's last switch with them; the change notice
    // makes feature servers drop the number until the next pass switches it.
    return scheduleView(deps, n);
  },
});

export const numberScheduleRoutes: ApiRoute[] = [getSchedule, putSchedule];
