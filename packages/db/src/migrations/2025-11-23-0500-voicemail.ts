// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, sql } from 'kysely';

/**
 * SPEC §3.11 voicemail: each message's metadata (the audio is a file under the voicemail
 * store, named relative to it) and each box's state (custom greeting, PIN lockout). The PIN
 * itself and the box's settings stay in number_settings. Both go with their number; the
 * audio files are the store's to remove.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('voicemail_messages')
    // Made by the caller ('YYYYMMDDHHmmss-<6 base36>'), so ids sort by time and can name
    // the message in mail before the row exists.
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('caller', 'text')
    .addColumn('caller_anonymity', 'text')
    .addColumn('called', 'text', (col) => col.notNull())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('new'))
    .addColumn('audio_file', 'text', (col) => col.notNull())
    .addColumn('call_id', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'voicemail_messages_caller_anonymity',
      sql`caller_anonymity IS NULL OR caller_anonymity IN ('withheld', 'payphone', 'unavailable')`,
    )
    .addCheckConstraint('voicemail_messages_duration', sql`duration_ms >= 0`)
    .addCheckConstraint('voicemail_messages_status', sql`status IN ('new', 'saved')`)
    .execute();
  // Retrieval plays a box's new messages, then its saved ones, oldest first; counts by status
  // feed the message count in mail (1/20) and message-waiting indication.
  await db.schema
    .createIndex('voicemail_messages_number_status_received')
    .on('voicemail_messages')
    .columns(['number_id', 'status', 'received_at'])
    .execute();

  await db.schema
    .createTable('voicemail_boxes')
    .addColumn('number_id', 'integer', (col) =>
      col.primaryKey().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('greeting_file', 'text')
    .addColumn('pin_failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('voicemail_boxes_pin_failures', sql`pin_failures >= 0`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('voicemail_boxes').execute();
  await db.schema.dropTable('voicemail_messages').execute();
}
