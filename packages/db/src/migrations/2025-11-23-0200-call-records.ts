// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * SPEC §3.13: one row per call attempt. Records outlive what they describe: the number
 * is a nullable foreign key (set null on delete) and the access line is kept by its code,
 * so deprovisioning never deletes usage history. Only enumerations are checked, because a
 * refused row would hold back the whole batch the writer retries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);

  await db.schema
    .createTable('call_records')
    .addColumn('id', 'integer', (col) =>
      pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('call_id', 'text', (col) => col.notNull())
    .addColumn('server_id', 'text', (col) => col.notNull())
    .addColumn('number_id', 'integer', (col) => col.references('numbers.id').onDelete('set null'))
    .addColumn('access_line_code', 'text')
    .addColumn('direction', 'text', (col) => col.notNull())
    .addColumn('caller', 'text')
    .addColumn('caller_anonymity', 'text')
    .addColumn('called', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('ended_at', 'text', (col) => col.notNull())
    .addColumn('ring_seconds', 'double precision')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('outcome_reason', 'text')
    .addColumn('forwarded_to', 'text')
    .addColumn('failure_code', 'integer')
    .addColumn('hunt_member', 'text')
    .addColumn('rate_band', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'call_records_direction',
      sql`direction IN ('incoming', 'outgoing', 'internal')`,
    )
    .addCheckConstraint(
      'call_records_caller_anonymity',
      sql`caller_anonymity IS NULL OR caller_anonymity IN ('withheld', 'payphone', 'unavailable')`,
    )
    .addCheckConstraint(
      'call_records_outcome',
      sql`outcome IN ('answered', 'busy', 'no_answer', 'rejected', 'forwarded', 'voicemail', 'failed')`,
    )
    .addCheckConstraint('call_records_rate_band', sql`rate_band IN ('normal', 'night', 'holiday')`)
    .execute();

  // The usage search (SPEC §3.13) picks a period per number, per access line or overall.
  await db.schema
    .createIndex('call_records_number_started')
    .on('call_records')
    .columns(['number_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('call_records_access_line_started')
    .on('call_records')
    .columns(['access_line_code', 'started_at'])
    .execute();
  await db.schema
    .createIndex('call_records_started')
    .on('call_records')
    .column('started_at')
    .execute();
  // Operations trace one call by its SIP Call-ID.
  await db.schema
    .createIndex('call_records_call_id')
    .on('call_records')
    .column('call_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_records').execute();
}
