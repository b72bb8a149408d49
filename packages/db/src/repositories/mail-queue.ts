import { type ExpressionBuilder, type Kysely, PostgresAdapter } from 'kysely';
import type { Database } from '../database.ts';
import type { Executor } from '../executor.ts';
import type {
  MailAttachment,
  MailKind,
  MailQueueRow,
  MailStatus,
} from '../tables/mail-queue.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** A mail to put on the queue. */
export interface NewMail {
  kind: MailKind;
  recipients: readonly string[];
  subject: string;
  textBody: string;
  attachments?: readonly MailAttachment[];
}

/** A queue row with its JSON columns read back. */
export type QueuedMail = Omit<MailQueueRow, 'recipients' | 'attachments'> & {
  recipients: string[];
  attachments: MailAttachment[];
};

/** Longer errors (a whole SMTP transcript) are cut to this many characters. */
const MAX_ERROR_LENGTH = 2000;

function entry(row: MailQueueRow): QueuedMail {
  return {
    ...row,
    recipients: JSON.parse(row.recipients) as string[],
    attachments: JSON.parse(row.attachments) as MailAttachment[],
  };
}

const errorText = (error: string) =>
  error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;

/** Queues a mail, due at once; returns its id. */
export async function enqueueMail(db: Executor, mail: NewMail, now: Date): Promise<number> {
  if (mail.recipients.length === 0) throw new RangeError('a mail needs at least one recipient');
  const at = toTimestamp(now);
  const row = await db
    .insertInto('mail_queue')
    .values({
      kind: mail.kind,
      recipients: JSON.stringify(mail.recipients),
      subject: mail.subject,
      text_body: mail.textBody,
      attachments: JSON.stringify(mail.attachments ?? []),
      status: 'queued',
      attempts: 0,
      next_attempt_at: at,
      claimed_until: null,
      last_error: null,
      created_at: at,
      sent_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Due now: queued and its time has come, or claimed by a sender whose lease ran out. */
function due(at: string) {
  return (eb: ExpressionBuilder<Database, 'mail_queue'>) =>
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', at)]),
      eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<=', at)]),
    ]);
}

/**
 * Claims up to `limit` due mails for one sender: moves them to `sending` until
 * `now + leaseMs`, counts the attempt, and returns them oldest first. A row whose lease has
 * run out (its sender died mid-send) is claimed again, so a mail may go out twice but is
 * never lost. Two senders never claim the same row: on PostgreSQL the candidates are locked
 * with FOR UPDATE SKIP LOCKED, so a second sender passes over them instead of waiting;
 * SQLite has one writer, and the claim is one statement.
 */
export async function claimDueMails(
  db: Kysely<Database>,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<QueuedMail[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`claim limit must be a positive integer, got ${limit}`);
  if (!(leaseMs > 0)) throw new RangeError(`lease must be positive, got ${leaseMs}`);
  const at = toTimestamp(now);
  const claim = {
    status: 'sending' as const,
    claimed_until: toTimestamp(new Date(now.getTime() + leaseMs)),
  };
  let rows: MailQueueRow[];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    rows = await db.transaction().execute(async (tx) => {
      const ids = await tx
        .selectFrom('mail_queue')
        .select('id')
        .where(due(at))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (ids.length === 0) return [];
      return tx
        .updateTable('mail_queue')
        .set((eb) => ({ ...claim, attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          'in',
          ids.map((r) => r.id),
        )
        .returningAll()
        .execute();
    });
  } else {
    rows = await db
      .updateTable('mail_queue')
      .set((eb) => ({ ...claim, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('mail_queue')
          .select('id')
          .where(due(at))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(limit),
      )
      .returningAll()
      .execute();
  }
  // RETURNING promises no order.
  return rows
    .map(entry)
    .sort((a, b) =>
      a.next_attempt_at === b.next_attempt_at
        ? a.id - b.id
        : a.next_attempt_at < b.next_attempt_at
          ? -1
          : 1,
    );
}

/** Records a delivery. False when the row was not being sent (another sender took it over
 * after this one's lease ran out, and may already have finished). */
export async function markMailSent(db: Executor, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('mail_queue')
    .set({ status: 'sent', sent_at: toTimestamp(now), claimed_until: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Puts a mail whose send failed back on the queue until `nextAttemptAt`. */
export async function markMailRetry(
  db: Executor,
  id: number,
  error: string,
  nextAttemptAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('mail_queue')
    .set({
      status: 'queued',
      next_attempt_at: toTimestamp(nextAttemptAt),
      claimed_until: null,
      last_error: errorText(error),
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives a mail up: its attempts ran out, or retrying cannot help. */
export async function markMailFailed(db: Executor, id: number, error: string): Promise<boolean> {
  const result = await db
    .updateTable('mail_queue')
    .set({ status: 'failed', claimed_until: null, last_error: errorText(error) })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface MailFilter {
  status?: MailStatus;
  kind?: MailKind;
}

/** Queue rows by id, for tests and operators. */
export async function listMails(db: Executor, filter: MailFilter = {}): Promise<QueuedMail[]> {
  let query = db.selectFrom('mail_queue').selectAll().orderBy('id');
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  return (await query.execute()).map(entry);
}

/** Deletes sent and failed mails queued before `olderThan`; returns how many went. Mail still
 * queued or being sent is kept however old. */
export async function pruneMails(db: Executor, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('mail_queue')
    .where('status', 'in', ['sent', 'failed'])
    .where('created_at', '<', toTimestamp(olderThan))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
