// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Outgoing e-mail (SPEC §3.11 voicemail notices and settings confirmations, §3.12 incoming
 * call notices and test mails), queued so a call never waits on a mail server and sending is
 * retried. Recipients and attachments are JSON text; an attachment names a file on disk that
 * is read when the mail is sent. Rows stand alone: a number's deletion leaves its queued
 * mail to go out or fail.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('mail_queue')
    .addColumn('id', 'integer', (col) =>
      pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('recipients', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('text_body', 'text', (col) => col.notNull())
    .addColumn('attachments', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('queued'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (col) => col.notNull())
    // While a sender holds the row ('sending'); past it, the sender is presumed dead.
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addCheckConstraint(
      'mail_queue_kind',
      sql`kind IN ('voicemail', 'settings_confirmation', 'incoming_call', 'test')`,
    )
    .addCheckConstraint('mail_queue_status', sql`status IN ('queued', 'sending', 'sent', 'failed')`)
    .addCheckConstraint('mail_queue_attempts_not_negative', sql`attempts >= 0`)
    .execute();
  // Senders look for due rows by status and time.
  await db.schema
    .createIndex('mail_queue_status_next_attempt')
    .on('mail_queue')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mail_queue').execute();
}
