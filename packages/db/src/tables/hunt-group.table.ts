import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type HuntMode = 'sequential' | 'round_robin';
export type HuntCallerId = 'pilot' | 'individual';

/** SPEC §3.5: a hunt group is named by its pilot base number. */
export interface HuntGroupTable {
  id: Generated<number>;
  pilot_number_id: number;
  mode: HuntMode;
  caller_id: HuntCallerId;
  /** Beyond the manual: skip a member after this many seconds without answer. */
  no_answer_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export type HuntGroup = Selectable<HuntGroupTable>;
export type NewHuntGroup = Insertable<HuntGroupTable>;
export type HuntGroupUpdate = Updateable<HuntGroupTable>;
