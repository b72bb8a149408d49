// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * SPEC §3.8 (and §3.7): the number of calls a screening feature rejected, per number and
 * calendar month of the number's voice group ('YYYY-MM'), so the screen can show this month
 * and last month. Counters go with their number.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const month = isPostgres(db)
    ? sql`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`
    : sql`month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND substr(month, 6, 2) BETWEEN '01' AND '12'`;
  await db.schema
    .createTable('screening_counters')
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('feature', 'text', (col) => col.notNull())
    .addColumn('month', 'text', (col) => col.notNull())
    .addColumn('count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('screening_counters_pk', ['number_id', 'feature', 'month'])
    .addCheckConstraint(
      'screening_counters_feature',
      sql`feature IN ('nuisance_blocking', 'anonymous_rejection')`,
    )
    .addCheckConstraint('screening_counters_month_format', month)
    .addCheckConstraint('screening_counters_count_not_negative', sql`count >= 0`)
    .execute();
  // Pruning old months scans by month across numbers.
  await db.schema
    .createIndex('screening_counters_month')
    .on('screening_counters')
    .column('month')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('screening_counters').execute();
}
