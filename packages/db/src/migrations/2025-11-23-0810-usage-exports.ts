// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, sql } from 'kysely';

/**
 * SPEC §3.13: a bulk usage export runs in the background and its files are kept 3 days.
 * One row per export job; the files themselves live on disk, listed here by name.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_exports')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('requested_by', 'text', (col) => col.notNull())
    /** The search as JSON: scope, by, local period, time zone. */
    .addColumn('scope', 'text', (col) => col.notNull())
    .addColumn('period_from', 'text', (col) => col.notNull())
    .addColumn('period_to', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    /** JSON array of file names, in order. */
    .addColumn('files', 'text', (col) => col.notNull())
    .addColumn('row_count', 'integer', (col) => col.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addCheckConstraint('usage_exports_status', sql`status IN ('running', 'done', 'failed')`)
    .execute();
  // Pruning looks for what has expired.
  await db.schema
    .createIndex('usage_exports_expires')
    .on('usage_exports')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_exports').execute();
}
