import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * SPEC §3.2: from `start_time` on the listed days (voice group's time zone) the
 * number uses `pattern_id`. `days` is a comma list of mon..sun; `start_time` HH:MM.
 */
export interface ForwardingScheduleEntryTable {
  id: Generated<number>;
  number_id: number;
  days: string;
  start_time: string;
  pattern_id: number;
  created_at: string;
}

export type ForwardingScheduleEntry = Selectable<ForwardingScheduleEntryTable>;
export type NewForwardingScheduleEntry = Insertable<ForwardingScheduleEntryTable>;
export type ForwardingScheduleEntryUpdate = Updateable<ForwardingScheduleEntryTable>;
