import type { Insertable, Selectable } from 'kysely';

/** The screening features whose rejections are counted (SPEC §3.7, §3.8). */
export type ScreeningFeature = 'nuisance_blocking' | 'anonymous_rejection';

/**
 * SPEC §3.8: calls a screening feature rejected for one number in one calendar month of the
 * number's voice group, added to by every feature server.
 */
export interface ScreeningCounterTable {
  number_id: number;
  feature: ScreeningFeature;
  /** 'YYYY-MM' in the voice group's time zone. */
  month: string;
  count: number;
  /** The last addition (ISO 8601 UTC). */
  updated_at: string;
}

export type ScreeningCounterRow = Selectable<ScreeningCounterTable>;
export type NewScreeningCounterRow = Insertable<ScreeningCounterTable>;
