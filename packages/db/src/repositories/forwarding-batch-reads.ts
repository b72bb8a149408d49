import type { Executor } from '../executor.ts';
import type { ForwardingColumns } from '../tables/forwarding-columns.ts';
import type { ForwardingSetting } from './forwarding.ts';

/** The application shape of stored forwarding columns (setting or pattern). */
export function forwardingSettingFromColumns(c: ForwardingColumns): ForwardingSetting {
  return {
    enabled: c.enabled === 1,
    unconditional: c.unconditional === 1,
    onBusy: c.on_busy === 1,
    onNoAnswer: c.on_no_answer === 1,
    onUnreachable: c.on_unreachable === 1,
    ringTimeSeconds: c.ring_time_seconds,
    activeTarget: c.active_target,
    slots: [c.slot1, c.slot2, c.slot3, c.slot4, c.slot5],
  };
}

const forwardingColumnNames = [
  'enabled',
  'unconditional',
  'on_busy',
  'on_no_answer',
  'on_unreachable',
  'ring_time_seconds',
  'active_target',
  'slot1',
  'slot2',
  'slot3',
  'slot4',
  'slot5',
] as const;

/** The own forwarding setting (SPEC §3.1) of each listed number that has one, in one query. */
export async function listForwardingSettings(
  db: Executor,
  numberIds: number[],
): Promise<Map<number, ForwardingSetting>> {
  if (numberIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('forwarding_settings')
    .select(['number_id', ...forwardingColumnNames])
    .where('number_id', 'in', numberIds)
    .execute();
  return new Map(rows.map((r) => [r.number_id, forwardingSettingFromColumns(r)]));
}

/**
 * The pattern the schedule has switched each listed number to (SPEC §3.2), for the numbers
 * where that pattern still exists, in one query.
 */
export async function listScheduledPatterns(
  db: Executor,
  numberIds: number[],
): Promise<Map<number, ForwardingSetting>> {
  if (numberIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('forwarding_schedule_state as s')
    .innerJoin('forwarding_patterns as p', 'p.id', 's.pattern_id')
    .select(['s.number_id', ...forwardingColumnNames.map((c) => `p.${c}` as const)])
    .where('s.number_id', 'in', numberIds)
    .execute();
  return new Map(rows.map((r) => [r.number_id, forwardingSettingFromColumns(r)]));
}
