// The notifier (ARCHITECTURE.md services/notifier): mail goes on a queue in the database and
// a worker sends it, so a call never waits on a mail server and a mail failure never reaches
// a call. Several notifiers may share one PostgreSQL queue: a claim is exclusive.
import { access, constants } from 'node:fs/promises';
import type { Config } from '@ipvoice/config';
import {
  claimDueMails,
  markMailFailed,
  markMailRetry,
  markMailSent,
  type Database,
  type Kysely,
  type QueuedMail,
} from '@ipvoice/db';
import { systemClock, type Clock, type Logger, type TimerHandle } from '@ipvoice/sip';
import { AttachmentMissingError, isPermanent } from './mail-errors.ts';
import { createMailTransport, type MailTransport } from './mail-transport.ts';
import { queueMail, type OutgoingMail } from './outgoing-mail.ts';
import { retryDelayMs } from './retry-delay.ts';

export interface NotifierDeps {
  db: Kysely<Database>;
  config: { mail: Config['mail'] };
  logger: Logger;
  clock?: Clock;
  /** How often the worker looks for due mail besides on enqueue; default 5 s. */
  pollMs?: number;
  /** How long a claimed mail is this sender's before another may take it (a sender that
   * died mid-send); longer than any send can take. Default 10 min. */
  leaseMs?: number;
  /** Mails claimed at once; default 10. */
  batchSize?: number;
  /** Replaces the transport the configuration names (tests). */
  transport?: MailTransport;
}

export interface Notifier {
  /** Queues a mail (due at once) and wakes the worker; resolves to its queue id. Rejects only
   * when the queue cannot be written; sending happens later and never rejects here. */
  enqueue(mail: OutgoingMail): Promise<number>;
  /** Starts the worker: on enqueue and every `pollMs` it sends what is due. */
  start(): void;
  /** Stops the worker, waits for sends in flight, closes the transport. */
  stop(): Promise<void>;
  /** Sends everything due now and resolves when done (tests, shutdown). */
  flush(): Promise<void>;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_LEASE_MS = 10 * 60_000;
const DEFAULT_BATCH_SIZE = 10;

export function createNotifier(deps: NotifierDeps): Notifier {
  const { db, logger } = deps;
  const mail = deps.config.mail;
  const clock = deps.clock ?? systemClock;
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const transport = deps.transport ?? createMailTransport(mail);
  const now = () => new Date(clock.now());

  let running = false;
  let timer: TimerHandle | undefined;
  let pass: Promise<void> | undefined;
  let again = false;

  async function deliver(m: QueuedMail): Promise<void> {
    const log = {
      mailId: m.id,
      kind: m.kind,
      attempt: m.attempts,
      recipients: m.recipients.length,
    };
    try {
      for (const a of m.attachments) {
        await access(a.path, constants.R_OK).catch((err: unknown) => {
          throw new AttachmentMissingError(a.filename, a.path, err);
        });
      }
      await transport.send(
        {
          from: mail.from,
          to: m.recipients,
          subject: m.subject,
          text: m.text_body,
          attachments: m.attachments.map((a) => ({
            filename: a.filename,
            path: a.path,
            contentType: a.contentType,
          })),
        },
        { id: m.id, kind: m.kind },
      );
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (isPermanent(err) || m.attempts >= mail.maxAttempts) {
        await markMailFailed(db, m.id, error);
        logger.error({ ...log, err }, 'mail failed; not retried');
        return;
      }
      const delay = retryDelayMs(m.attempts, mail.retryBaseSeconds);
      const next = new Date(clock.now() + delay);
      await markMailRetry(db, m.id, error, next);
      logger.warn({ ...log, err, retryAt: next.toISOString() }, 'mail not sent; will retry');
      return;
    }
    if (await markMailSent(db, m.id, now())) logger.info(log, 'mail sent');
    // Our lease ran out mid-send and another sender took the mail over.
    else logger.warn(log, 'mail sent after its claim lapsed; it may go out twice');
  }

  /** Claims and sends batches until nothing is due. */
  async function drain(): Promise<void> {
    for (;;) {
      const batch = await claimDueMails(db, now(), batchSize, leaseMs);
      for (const m of batch) await deliver(m);
      if (batch.length < batchSize) return;
    }
  }

  async function passes(): Promise<void> {
    do {
      again = false;
      try {
        await drain();
      } catch (err) {
        // The database is away, or a mark failed: what was claimed comes back when its
        // lease runs out. The worker keeps going.
        logger.error({ err }, 'mail pass failed');
      }
    } while (again && running);
  }

  function kick(): void {
    if (!running) return;
    if (pass) {
      again = true;
      return;
    }
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    pass = passes().finally(() => {
      pass = undefined;
      if (running) timer = clock.setTimeout(kick, pollMs);
    });
  }

  return {
    async enqueue(m) {
      const id = await queueMail(db, m, now());
      kick();
      return id;
    },
    start() {
      if (running) return;
      running = true;
      kick();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await pass;
      transport.close();
    },
    async flush() {
      await pass;
      await drain();
      // The worker may have started a pass meanwhile (an enqueue); wait for it too.
      await pass;
    },
  };
}
