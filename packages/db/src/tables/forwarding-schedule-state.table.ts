import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * SPEC §3.2: the pattern the schedule has switched a number to, and when. Entry and pattern
 * go null when the schedule is replaced; the next switch then writes again.
 */
export interface ForwardingScheduleStateTable {
  number_id: number;
  entry_id: number | null;
  pattern_id: number | null;
  /** When the switch took effect (ISO 8601 UTC). */
  switched_at: string;
  /** The server or scheduler instance that applied it. */
  applied_by: string;
}

export type ForwardingScheduleStateRow = Selectable<ForwardingScheduleStateTable>;
export type NewForwardingScheduleStateRow = Insertable<ForwardingScheduleStateTable>;
export type ForwardingScheduleStateRowUpdate = Updateable<ForwardingScheduleStateTable>;
