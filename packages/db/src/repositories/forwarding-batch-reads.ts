import type { Executor } from '../executor.ts';
import { forwardingSettingFromColumns, type ForwardingSetting } from './forwarding.ts';

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
