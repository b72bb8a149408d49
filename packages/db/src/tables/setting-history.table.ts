import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * SPEC §4: every settings change — who, when, what, before, after — kept 180 days.
 * Written once, never updated. `before`/`after` are JSON documents (text).
 */
export interface SettingHistoryTable {
  id: Generated<number>;
  /** Null once the number is deleted, or for a change that is not about one number. */
  number_id: number | null;
  site_id: number | null;
  /** A plain id, no foreign key: the group's history stays scoped to it. */
  voice_group_id: number | null;
  /** An account name, or 'scheduler', 'bulk-forwarding'. */
  actor: string;
  /** e.g. 'forwarding', 'forwarding_schedule', 'bulk_forwarding'. */
  feature: string;
  action: string;
  before: string | null;
  after: string | null;
  created_at: string;
}

export type SettingHistoryRow = Selectable<SettingHistoryTable>;
export type NewSettingHistoryRow = Insertable<SettingHistoryTable>;
