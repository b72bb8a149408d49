// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const MAIL_KINDS_BEFORE = `'voicemail', 'settings_confirmation', 'incoming_call', 'test'`;
const MAIL_KINDS_AFTER = `${MAIL_KINDS_BEFORE}, 'login_code'`;

/**
 * SPEC §4 accounts of the settings portal and REST API, their sessions, API tokens and
 * e-mailed login codes. An account's scope is one column by role: a voice group, a site or a
 * number (the operator has none); deleting the thing deletes the accounts scoped to it.
 * Secrets are stored only as hashes (passwords: argon2id; session and API tokens, login
 * codes: SHA-256, as they are long random values or short-lived).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'integer', (col) =>
      pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('login', 'text', (col) => col.notNull().unique())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('voice_group_id', 'integer', (col) =>
      col.references('voice_groups.id').onDelete('cascade'),
    )
    .addColumn('site_id', 'integer', (col) => col.references('sites.id').onDelete('cascade'))
    .addColumn('number_id', 'integer', (col) => col.references('numbers.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('totp_secret', 'text')
    .addColumn('second_factor', 'text', (col) => col.notNull().defaultTo('none'))
    .addColumn('failed_logins', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'accounts_role',
      sql`role IN ('operator', 'group_admin', 'site_admin', 'user')`,
    )
    // Exactly the scope column the role needs, and no other.
    .addCheckConstraint(
      'accounts_scope',
      sql`(role = 'operator' AND voice_group_id IS NULL AND site_id IS NULL AND number_id IS NULL)
       OR (role = 'group_admin' AND voice_group_id IS NOT NULL AND site_id IS NULL AND number_id IS NULL)
       OR (role = 'site_admin' AND voice_group_id IS NULL AND site_id IS NOT NULL AND number_id IS NULL)
       OR (role = 'user' AND voice_group_id IS NULL AND site_id IS NULL AND number_id IS NOT NULL)`,
    )
    .addCheckConstraint('accounts_second_factor', sql`second_factor IN ('none', 'totp', 'mail')`)
    .addCheckConstraint(
      'accounts_second_factor_needs',
      sql`(second_factor <> 'totp' OR totp_secret IS NOT NULL) AND (second_factor <> 'mail' OR email IS NOT NULL)`,
    )
    .addCheckConstraint('accounts_failed_logins_not_negative', sql`failed_logins >= 0`)
    .execute();
  for (const column of ['voice_group_id', 'site_id', 'number_id']) {
    await db.schema.createIndex(`accounts_${column}`).on('accounts').column(column).execute();
  }

  await db.schema
    .createTable('sessions')
    // SHA-256 (hex) of the cookie's token: a leaked table opens no session.
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'integer', (col) =>
      col.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_seen_at', 'text', (col) => col.notNull())
    .addColumn('second_factor_pending', 'integer', (col) => col.notNull().defaultTo(0))
    .addCheckConstraint('sessions_pending_flag', sql`second_factor_pending IN (0, 1)`)
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (col) =>
      pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('account_id', 'integer', (col) =>
      col.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_account').on('api_tokens').column('account_id').execute();

  // One live code per account: a new one replaces the last.
  await db.schema
    .createTable('login_codes')
    .addColumn('account_id', 'integer', (col) =>
      col.primaryKey().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('code_hash', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .execute();

  await setMailKinds(db, pg, MAIL_KINDS_AFTER);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM mail_queue WHERE kind = 'login_code'`.execute(db);
  await setMailKinds(db, isPostgres(db), MAIL_KINDS_BEFORE);
  await db.schema.dropTable('login_codes').execute();
  await db.schema.dropTable('api_tokens').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('accounts').execute();
}

/**
 * Mail of the new kind 'login_code' (the e-mailed second factor). PostgreSQL swaps the check
 * constraint; SQLite cannot alter one, so it rebuilds the table (sqlite.org/lang_altertable.html
 * §7: create the new shape, copy, drop, rename), keeping ids and the index.
 */
async function setMailKinds(db: Kysely<unknown>, pg: boolean, kinds: string): Promise<void> {
  if (pg) {
    await sql`ALTER TABLE mail_queue DROP CONSTRAINT mail_queue_kind`.execute(db);
    await sql
      .raw(`ALTER TABLE mail_queue ADD CONSTRAINT mail_queue_kind CHECK (kind IN (${kinds}))`)
      .execute(db);
    return;
  }
  await db.schema
    .createTable('mail_queue_new')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('recipients', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('text_body', 'text', (col) => col.notNull())
    .addColumn('attachments', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('queued'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (col) => col.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addCheckConstraint('mail_queue_kind', sql.raw(`kind IN (${kinds})`))
    .addCheckConstraint('mail_queue_status', sql`status IN ('queued', 'sending', 'sent', 'failed')`)
    .addCheckConstraint('mail_queue_attempts_not_negative', sql`attempts >= 0`)
    .execute();
  await sql`INSERT INTO mail_queue_new SELECT id, kind, recipients, subject, text_body, attachments,
    status, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at
    FROM mail_queue`.execute(db);
  await db.schema.dropTable('mail_queue').execute();
  await db.schema.alterTable('mail_queue_new').renameTo('mail_queue').execute();
  await db.schema
    .createIndex('mail_queue_status_next_attempt')
    .on('mail_queue')
    .columns(['status', 'next_attempt_at'])
    .execute();
}
