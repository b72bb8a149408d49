// SPEC §3.11 voicemail storage: message metadata and box state. Every message operation
// names the box's number as well as the message id, so one box's caller can never reach
// another box's message.
import type { Executor } from '../executor.ts';
import type { CallerAnonymity } from '../tables/call-record.table.ts';
import type { VoicemailMessageRow, VoicemailStatus } from '../tables/voicemail-message.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** A message as the writer knows it when the recording ends. */
export interface VoicemailDeposit {
  /** 'YYYYMMDDHHmmss-<6 base36>', made by the writer so ids sort by time. */
  id: string;
  numberId: number;
  /** National number; null when withheld or unavailable. */
  caller: string | null;
  callerAnonymity: CallerAnonymity | null;
  called: string;
  receivedAt: Date;
  durationMs: number;
  /** Relative to the voicemail store directory. */
  audioFile: string;
  /** The caller leg's SIP Call-ID. */
  callId: string | null;
}

/** A stored message. */
export interface VoicemailMessage extends VoicemailDeposit {
  status: VoicemailStatus;
  createdAt: Date;
}

function fromRow(row: VoicemailMessageRow): VoicemailMessage {
  return {
    id: row.id,
    numberId: row.number_id,
    caller: row.caller,
    callerAnonymity: row.caller_anonymity,
    called: row.called,
    receivedAt: new Date(row.received_at),
    durationMs: row.duration_ms,
    audioFile: row.audio_file,
    callId: row.call_id,
    status: row.status,
    createdAt: new Date(row.created_at),
  };
}

export async function insertVoicemailMessage(
  db: Executor,
  message: VoicemailDeposit,
  now: Date,
): Promise<VoicemailMessage> {
  const row = await db
    .insertInto('voicemail_messages')
    .values({
      id: message.id,
      number_id: message.numberId,
      caller: message.caller,
      caller_anonymity: message.callerAnonymity,
      called: message.called,
      received_at: toTimestamp(message.receivedAt),
      duration_ms: message.durationMs,
      audio_file: message.audioFile,
      call_id: message.callId,
      created_at: toTimestamp(now),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** A box's messages, oldest first (the id breaks ties); only one status when given. */
export async function listVoicemailMessages(
  db: Executor,
  numberId: number,
  filter: { status?: VoicemailStatus } = {},
): Promise<VoicemailMessage[]> {
  let query = db.selectFrom('voicemail_messages').selectAll().where('number_id', '=', numberId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('received_at').orderBy('id').execute();
  return rows.map(fromRow);
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
  const row = await db
    .selectFrom('voicemail_messages')
    .selectAll()
    .where('number_id', '=', numberId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
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
  /** Epoch milliseconds, as @ipvoice/features pinAttempt takes it; null when not locked. */
  lockedUntil: number | null;
  /** Null when the box was never written. */
  updatedAt: Date | null;
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
    lockedUntil: row.locked_until === null ? null : Date.parse(row.locked_until),
    updatedAt: new Date(row.updated_at),
  };
}

/** Stores the PIN lockout state after an attempt (see @ipvoice/features pinAttempt). */
export async function saveVoicemailBoxState(
  db: Executor,
  numberId: number,
  state: { pinFailures: number; lockedUntil: number | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('voicemail_boxes')
    .values({
      number_id: numberId,
      pin_failures: state.pinFailures,
      locked_until: state.lockedUntil === null ? null : toTimestamp(new Date(state.lockedUntil)),
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
