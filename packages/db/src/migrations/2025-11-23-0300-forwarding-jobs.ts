// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Background work on forwarding: where the schedule (SPEC §3.2) has switched each number,
 * the setting history (§4, kept 180 days), and bulk-forwarding start/stop operations with
 * their per-number results (§3.3).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const id = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'integer', (col) =>
        pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
      );

  // One row per number the scheduler has switched. Entries and patterns are replaced whole
  // when a schedule is edited, so their references go null rather than take the row away:
  // a null pattern then differs from any pattern the scheduler computes next.
  await db.schema
    .createTable('forwarding_schedule_state')
    .addColumn('number_id', 'integer', (col) =>
      col.primaryKey().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('entry_id', 'integer', (col) =>
      col.references('forwarding_schedule_entries.id').onDelete('set null'),
    )
    .addColumn('pattern_id', 'integer', (col) =>
      col.references('forwarding_patterns.id').onDelete('set null'),
    )
    .addColumn('switched_at', 'text', (col) => col.notNull())
    .addColumn('applied_by', 'text', (col) => col.notNull())
    .execute();

  // History outlives what it describes: numbers and sites go null on delete. The voice
  // group is kept as a plain id so a group administrator still sees its whole history.
  await id('setting_history')
    .addColumn('number_id', 'integer', (col) => col.references('numbers.id').onDelete('set null'))
    .addColumn('site_id', 'integer', (col) => col.references('sites.id').onDelete('set null'))
    .addColumn('voice_group_id', 'integer')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('feature', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('setting_history_number_created')
    .on('setting_history')
    .columns(['number_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('setting_history_site_created')
    .on('setting_history')
    .columns(['site_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('setting_history_voice_group_created')
    .on('setting_history')
    .columns(['voice_group_id', 'created_at'])
    .execute();
  // SPEC §4: rows older than 180 days are pruned by time.
  await db.schema
    .createIndex('setting_history_created')
    .on('setting_history')
    .column('created_at')
    .execute();

  await id('bulk_forwarding_operations')
    .addColumn('group_id', 'integer', (col) =>
      col.notNull().references('bulk_forwarding_groups.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('ok_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addCheckConstraint('bulk_forwarding_operations_kind', sql`kind IN ('start', 'stop')`)
    .addCheckConstraint(
      'bulk_forwarding_operations_status',
      sql`status IN ('running', 'done', 'failed')`,
    )
    .execute();
  await db.schema
    .createIndex('bulk_forwarding_operations_group_started')
    .on('bulk_forwarding_operations')
    .columns(['group_id', 'started_at'])
    .execute();

  // The number is kept as text: the result file must still read right after a member
  // number is deprovisioned.
  await db.schema
    .createTable('bulk_forwarding_results')
    .addColumn('operation_id', 'integer', (col) =>
      col.notNull().references('bulk_forwarding_operations.id').onDelete('cascade'),
    )
    .addColumn('number', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    // The slot-5 target a start found: calls follow it until the stop (SPEC §3.3).
    .addColumn('target', 'text')
    .addPrimaryKeyConstraint('bulk_forwarding_results_pk', ['operation_id', 'number'])
    .addCheckConstraint('bulk_forwarding_results_outcome', sql`outcome IN ('ok', 'error')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'bulk_forwarding_results',
    'bulk_forwarding_operations',
    'setting_history',
    'forwarding_schedule_state',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
