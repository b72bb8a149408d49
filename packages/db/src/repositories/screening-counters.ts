import type { Executor } from '../executor.ts';
import type { ScreeningFeature } from '../tables/screening-counter.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** Rejections to add to one number's counter for one feature and month. */
export interface ScreeningCountAddition {
  numberId: number;
  feature: ScreeningFeature;
  /** 'YYYY-MM' in the number's voice group time zone. */
  month: string;
  count: number;
}

/**
 * Adds to counters, one upsert statement per row (insert, or count = count + n on the existing
 * row), so servers adding to the same counter at once never lose an addition. Rows are written
 * in order; run it inside the caller's transaction to make them all or nothing.
 */
export async function addScreeningCounts(
  db: Executor,
  rows: ReadonlyArray<ScreeningCountAddition>,
  now: Date,
): Promise<void> {
  const updatedAt = toTimestamp(now);
  for (const row of rows) {
    if (!Number.isInteger(row.count) || row.count < 0)
      throw new RangeError(`screening count must be a non-negative integer, got ${row.count}`);
    await db
      .insertInto('screening_counters')
      .values({
        number_id: row.numberId,
        feature: row.feature,
        month: row.month,
        count: row.count,
        updated_at: updatedAt,
      })
      .onConflict((oc) =>
        oc.columns(['number_id', 'feature', 'month']).doUpdateSet((eb) => ({
          count: eb('screening_counters.count', '+', eb.ref('excluded.count')),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** SPEC §3.8: this month's and last month's counts (0 when no row). */
export async function screeningCounts(
  db: Executor,
  numberId: number,
  feature: ScreeningFeature,
  months: { thisMonth: string; lastMonth: string },
): Promise<{ thisMonth: number; lastMonth: number }> {
  const rows = await db
    .selectFrom('screening_counters')
    .select(['month', 'count'])
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .where('month', 'in', [months.thisMonth, months.lastMonth])
    .execute();
  const count = (month: string) => rows.find((r) => r.month === month)?.count ?? 0;
  return { thisMonth: count(months.thisMonth), lastMonth: count(months.lastMonth) };
}

/** Deletes counters of months before `oldestMonth` ('YYYY-MM'; it and later months are kept);
 * returns how many rows went. */
export async function pruneScreeningCounters(db: Executor, oldestMonth: string): Promise<number> {
  // Compared as text: anything but 'YYYY-MM' could order before or after every month.
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(oldestMonth))
    throw new RangeError(`oldest month must be 'YYYY-MM', got '${oldestMonth}'`);
  const result = await db
    .deleteFrom('screening_counters')
    .where('month', '<', oldestMonth)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
