// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * SPEC §4: the background jobs of a site (CSV upload, CSV download, bulk-forwarding start and
 * stop) show `running` → `done` (or `failed`) and offer their result file, which lives on
 * disk under the API's data folder and is named here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (col) =>
      pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('site_id', 'integer', (col) =>
      col.notNull().references('sites.id').onDelete('cascade'),
    )
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    /** JSON: counts, the group, or why it failed. */
    .addColumn('summary', 'text', (col) => col.notNull())
    /** The file's name inside the jobs folder; null until there is one. */
    .addColumn('result_file', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .addCheckConstraint(
      'jobs_kind',
      sql`kind IN ('csv_upload', 'csv_download', 'bulk_start', 'bulk_stop')`,
    )
    .addCheckConstraint('jobs_status', sql`status IN ('running', 'done', 'failed')`)
    .execute();
  // The job list of a site, newest first.
  await db.schema
    .createIndex('jobs_site_created')
    .on('jobs')
    .columns(['site_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
