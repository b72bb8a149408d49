// SPEC §3.11 voicemail storage: message metadata and box state. Every message operation
// names the box's number as well as the message id, so one box's caller can never reach
// another box's message.
import type { Executor } from '../executor.ts';
import type {
  NewVoicemailMessage,
  VoicemailMessage,
  VoicemailStatus,
} from '../tables/voicemail-message.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** A message as the writer knows it; `created_at` comes from `now`. */
export type VoicemailDeposit = Omit<NewVoicemailMessage, 'created_at'>;

export async function insertVoicemailMessage(
  db: Executor,
  row: VoicemailDeposit,
  now: Date,
): Promise<VoicemailMessage> {
  return db
    .insertInto('voicemail_messages')
    .values({ ...row, created_at: toTimestamp(now) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A box's messages, oldest first (the id breaks ties); only one status when given. */
export async function listVoicemailMessages(
  db: Executor,
  numberId: number,
  filter: { status?: VoicemailStatus } = {},
): Promise<VoicemailMessage[]> {
  let query = db.selectFrom('voicemail_messages').selectAll().where('number_id', '=', numberId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('received_at').orderBy('id').execute();
}

/** How many new and saved messages a box holds; their sum is what counts against its limit. */
export async function countVoicemailMessages(
  db: Executor,
  numberId: number,
): Promise<{ new: number; saved: number }> {
  const rows = await db
    .selectFrom('voicemail_messages')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .where('number_id', '=', numberId)
    .groupBy('status')
    .execute();
  // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
  const count = (status: VoicemailStatus) =>
    Number(rows.find((r) => r.status === status)?.count ?? 0);
  return { new: count('new'), saved: count('saved') };
}

export async function findVoicemailMessage(
  db: Executor,
  numberId: number,
  id: string,
): Promise<VoicemailMessage | undefined> {
  return db
    .selectFrom('voicemail_messages')
    .selectAll()
    .where('number_id', '=', numberId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Keeps a message after it was heard. False when the box has no such message. */
export async function markVoicemailSaved(
  db: Executor,
  numberId: number,
  id: string,
): Promise<boolean> {
  const result = await db
    .updateTable('voicemail_messages')
    .set({ status: 'saved' })
    .where('number_id', '=', numberId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Deletes a message and returns its audio file (relative to the store) for the caller to
 * remove; undefined when the box has no such message. The row goes first, so a file whose
 * removal fails is an orphan on disk rather than a message without audio.
 */
export async function deleteVoicemailMessage(
  db: Executor,
  numberId: number,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('voicemail_messages')
    .where('number_id', '=', numberId)
    .where('id', '=', id)
    .returning('audio_file')
    .executeTakeFirst();
  return row?.audio_file;
}

/** A box's state; a number without a row has these defaults. */
export interface VoicemailBox {
  numberId: number;
  /** Relative to the voicemail store; null: the system greeting. */
  greetingFile: string | null;
  pinFailures: number;
  /** ISO 8601 UTC; null when not locked. */
  lockedUntil: string | null;
  /** Null when the box was never written. */
  updatedAt: string | null;
}

export async function findVoicemailBox(db: Executor, numberId: number): Promise<VoicemailBox> {
  const row = await db
    .selectFrom('voicemail_boxes')
    .selectAll()
    .where('number_id', '=', numberId)
    .executeTakeFirst();
  if (row === undefined)
    return { numberId, greetingFile: null, pinFailures: 0, lockedUntil: null, updatedAt: null };
  return {
    numberId,
    greetingFile: row.greeting_file,
    pinFailures: row.pin_failures,
    lockedUntil: row.locked_until,
    updatedAt: row.updated_at,
  };
}

/** Stores the PIN lockout state after an attempt (see @ipvoice/features pinAttempt). */
export async function saveVoicemailBoxState(
  db: Executor,
  numberId: number,
  state: { pinFailures: number; lockedUntil: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('voicemail_boxes')
    .values({
      number_id: numberId,
      pin_failures: state.pinFailures,
      locked_until: state.lockedUntil,
      updated_at: toTimestamp(now),
    })
    .onConflict((oc) =>
      oc.column('number_id').doUpdateSet((eb) => ({
        pin_failures: eb.ref('excluded.pin_failures'),
        locked_until: eb.ref('excluded.locked_until'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Sets the customer's greeting file, or null to go back to the system greeting. */
export async function setVoicemailGreeting(
  db: Executor,
  numberId: number,
  file: string | null,
  now: Date,
): Promise<void> {
  await db
    .insertInto('voicemail_boxes')
    .values({ number_id: numberId, greeting_file: file, updated_at: toTimestamp(now) })
    .onConflict((oc) =>
      oc.column('number_id').doUpdateSet((eb) => ({
        greeting_file: eb.ref('excluded.greeting_file'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
