import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { listMails, type Database, type Kysely } from '@ipvoice/db';
import { FakeClock } from '@ipvoice/sip';
import { simpleParser } from 'mailparser';
import {
  addressTestMail,
  createNotifier,
  incomingCallMail,
  voicemailMail,
  type Notifier,
  type NotifierDeps,
  type VoicemailNoticeParams,
} from '../src/index.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './helpers/smtp-sink.ts';
import {
  mailConfig,
  openSqlite,
  postgresDatabase,
  recordingLogger,
  tempDir,
} from './helpers/setup.ts';

const pgDatabase = postgresDatabase();

// 2026-11-30T15:30Z is already 1 December in Tokyo.
const receivedAt = new Date('2026-11-30T15:30:05Z');
const wav = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(32, 7)]);

function recording(): string {
  const path = join(tempDir('vm'), '4711.wav');
  writeFileSync(path, wav);
  return path;
}

const voicemail = (attachment?: string): VoicemailNoticeParams => ({
  language: 'ja',
  timeZone: 'Asia/Tokyo',
  receivedAt,
  caller: { number: '0312345678' },
  calledNumber: '0501111222',
  centreNumber: '1417',
  durationSeconds: 42,
  messageCount: 3,
  maxMessages: 20,
  messageId: 4711,
  ...(attachment ? { attachment: { path: attachment } } : {}),
});

const callNotice = (n: number) =>
  incomingCallMail(['a@example.jp'], {
    language: 'en',
    timeZone: 'Asia/Tokyo',
    at: receivedAt,
    calledNumber: `05011112${String(n).padStart(3, '0')}`,
    caller: { anonymity: 'withheld' },
    ringSeconds: 12,
    outcome: 'no_answer',
  });

interface Rig {
  db: Kysely<Database>;
  sink: SmtpSink;
  clock: FakeClock;
  logger: ReturnType<typeof recordingLogger>;
  notifier: Notifier;
}

async function rig(
  sinkOptions: SmtpSinkOptions = {},
  deps: Partial<NotifierDeps> = {},
  mail: Parameters<typeof mailConfig>[0] = {},
): Promise<Rig> {
  const db = await openSqlite();
  const sink = await startSmtpSink(sinkOptions);
  const clock = new FakeClock(Date.parse('2026-11-30T15:31:00Z'));
  const logger = recordingLogger();
  const notifier = createNotifier({
    db,
    config: mailConfig({
      smtp: { host: '127.0.0.1', port: sink.port, secure: false },
      ...mail,
    }),
    clock,
    logger,
    ...deps,
  });
  return { db, sink, clock, logger, notifier };
}

async function close(r: Rig) {
  await r.notifier.stop();
  await r.sink.close();
  await r.db.destroy();
}

test('a voicemail notice arrives over SMTP with every field and the recording attached', async (t) => {
  const r = await rig();
  try {
    r.notifier.start();
    const id = await r.notifier.enqueue(
      voicemailMail(['owner@example.jp', 'second@example.jp'], voicemail(recording())),
    );
    const [message] = await r.sink.waitForMessages(1);
    if (!message) return t.fail('no message');
    t.is(message.subject, '【IP Voice】メッセージをお預かりしました (0312345678)');
    t.is(message.from?.text, '"IP Voice" <noreply@ipvoice.local>');
    const to = Array.isArray(message.to) ? message.to : [message.to];
    t.deepEqual(
      to.flatMap((a) => a?.value.map((v) => v.address) ?? []),
      ['owner@example.jp', 'second@example.jp'],
    );
    const text = message.text ?? '';
    for (const line of [
      '受信日時: 2026/12/01 00:30:05',
      '発信者番号: 0312345678',
      '着信番号: 0501111222',
      '再生ダイヤル番号: 1417',
      '録音時間: 42秒',
      'メッセージ件数: 3/20',
      'メッセージID: 4711',
    ])
      t.true(text.includes(line), `body has "${line}"`);
    t.is(message.attachments.length, 1);
    const [attachment] = message.attachments;
    t.is(attachment?.filename, '20261201_4711.wav');
    t.is(attachment?.contentType, 'audio/wav');
    t.deepEqual(attachment?.content, wav);
    await r.notifier.flush();
    t.like((await listMails(r.db))[0], { id, status: 'sent', attempts: 1, last_error: null });
    t.truthy(r.logger.entries.find((e) => e.level === 'info' && e.msg === 'mail sent'));
  } finally {
    await close(r);
  }
});

test('a server that refuses twice with 451 gets the mail on the third attempt, after the backoff', async (t) => {
  const r = await rig({
    refuse: (n) => (n <= 2 ? { code: 451, message: 'Try again later' } : undefined),
  });
  try {
    const id = await r.notifier.enqueue(callNotice(1));
    const t0 = r.clock.now();
    await r.notifier.flush();
    t.is(r.sink.attempts, 1);
    let [row] = await listMails(r.db);
    t.like(row, {
      status: 'queued',
      attempts: 1,
      next_attempt_at: new Date(t0 + 30_000).toISOString(),
    });
    t.regex(row?.last_error ?? '', /451/);

    r.clock.advance(29_999);
    await r.notifier.flush();
    t.is(r.sink.attempts, 1, 'not before the 30 s backoff');
    r.clock.advance(1);
    await r.notifier.flush();
    t.is(r.sink.attempts, 2);
    [row] = await listMails(r.db);
    t.like(row, { status: 'queued', attempts: 2 });
    t.is(row?.next_attempt_at, new Date(t0 + 30_000 + 60_000).toISOString(), 'doubled');

    r.clock.advance(60_000);
    await r.notifier.flush();
    const [message] = await r.sink.waitForMessages(1);
    t.is(message?.subject, '[IP Voice] Incoming call (withheld)');
    [row] = await listMails(r.db);
    t.like(row, {
      id,
      status: 'sent',
      attempts: 3,
      sent_at: new Date(r.clock.now()).toISOString(),
    });
    t.is(r.logger.entries.filter((e) => e.msg === 'mail not sent; will retry').length, 2);
  } finally {
    await close(r);
  }
});

test('the worker retries on its own timer', async (t) => {
  const r = await rig(
    { refuse: (n) => (n === 1 ? { code: 421, message: 'Busy' } : undefined) },
    { pollMs: 10_000 },
    { retryBaseSeconds: 5 },
  );
  try {
    r.notifier.start();
    await r.notifier.enqueue(callNotice(1));
    await r.sink.waitForAttempts(1);
    // Wait for the worker's pass to record the refusal and arm its poll timer.
    await r.notifier.flush();
    t.like((await listMails(r.db))[0], { status: 'queued', attempts: 1 });
    // The poll 10 s on finds the retry (due after 5 s) and sends it, with no flush.
    r.clock.advance(10_000);
    const [message] = await r.sink.waitForMessages(1);
    t.is(message?.subject, '[IP Voice] Incoming call (withheld)');
    await r.notifier.stop();
    t.like((await listMails(r.db))[0], { status: 'sent', attempts: 2 });
  } finally {
    await close(r);
  }
});

test('a mail refused maxAttempts times is marked failed', async (t) => {
  const r = await rig(
    { refuse: () => ({ code: 451, message: 'Mailbox busy' }) },
    {},
    { maxAttempts: 3, retryBaseSeconds: 1 },
  );
  try {
    await r.notifier.enqueue(callNotice(1));
    for (let i = 0; i < 5; i++) {
      await r.notifier.flush();
      r.clock.advance(3600_000);
    }
    t.is(r.sink.attempts, 3);
    const [row] = await listMails(r.db);
    t.like(row, { status: 'failed', attempts: 3 });
    t.regex(row?.last_error ?? '', /451/);
    const failed = r.logger.entries.filter((e) => e.level === 'error');
    t.is(failed.length, 1);
    t.is(failed[0]?.msg, 'mail failed; not retried');
  } finally {
    await close(r);
  }
});

test('a permanent 5xx refusal fails the mail at once', async (t) => {
  const r = await rig({ refuse: () => ({ code: 550, message: 'No such user' }) });
  try {
    await r.notifier.enqueue(
      addressTestMail(['nobody@example.jp'], { language: 'ja', number: '0312345678' }),
    );
    await r.notifier.flush();
    r.clock.advance(3600_000);
    await r.notifier.flush();
    t.is(r.sink.attempts, 1);
    const [row] = await listMails(r.db);
    t.like(row, { status: 'failed', attempts: 1 });
    t.regex(row?.last_error ?? '', /550/);
  } finally {
    await close(r);
  }
});

test('a missing attachment fails the mail with an error naming the file', async (t) => {
  const r = await rig();
  try {
    const missing = join(tempDir('vm'), 'gone.wav');
    await r.notifier.enqueue(voicemailMail(['owner@example.jp'], voicemail(missing)));
    await r.notifier.flush();
    r.clock.advance(3600_000);
    await r.notifier.flush();
    t.is(r.sink.attempts, 0, 'nothing was sent');
    const [row] = await listMails(r.db);
    t.like(row, { status: 'failed', attempts: 1 });
    t.is(row?.last_error, `attachment 20261201_4711.wav cannot be read from ${missing} (ENOENT)`);
  } finally {
    await close(r);
  }
});

test('a server that is down is retried, not failed', async (t) => {
  const r = await rig();
  await r.sink.close();
  try {
    await r.notifier.enqueue(callNotice(1));
    await r.notifier.flush();
    const [row] = await listMails(r.db);
    t.like(row, { status: 'queued', attempts: 1 });
    t.regex(row?.last_error ?? '', /ECONNREFUSED/);
  } finally {
    await r.notifier.stop();
    await r.db.destroy();
  }
});

test('the outbox transport writes a parseable .eml named after the queue row', async (t) => {
  const db = await openSqlite();
  const config = mailConfig({ transport: 'outbox' });
  const notifier = createNotifier({
    db,
    config,
    clock: new FakeClock(),
    logger: recordingLogger(),
  });
  try {
    const id = await notifier.enqueue(voicemailMail(['owner@example.jp'], voicemail(recording())));
    await notifier.flush();
    t.deepEqual(readdirSync(config.mail.outboxDir), [`${id}-voicemail.eml`], 'no temporary left');
    const parsed = await simpleParser(
      readFileSync(join(config.mail.outboxDir, `${id}-voicemail.eml`)),
    );
    t.is(parsed.subject, '【IP Voice】メッセージをお預かりしました (0312345678)');
    t.true(parsed.text?.includes('メッセージID: 4711'));
    t.is(parsed.attachments[0]?.filename, '20261201_4711.wav');
    t.deepEqual(parsed.attachments[0]?.content, wav);
    t.like((await listMails(db))[0], { status: 'sent', attempts: 1 });
  } finally {
    await notifier.stop();
    await db.destroy();
  }
});

test('stop waits for a send in flight', async (t) => {
  let release = () => {};
  const hold = new Promise<void>((resolve) => (release = resolve));
  const r = await rig({ hold });
  try {
    r.notifier.start();
    await r.notifier.enqueue(callNotice(1));
    await r.sink.waitForAttempts(1);
    let stopped = false;
    const stopping = r.notifier.stop().then(() => (stopped = true));
    // The server has the message but has not answered: stop must still be waiting.
    await new Promise((resolve) => setImmediate(resolve));
    t.false(stopped);
    release();
    await stopping;
    t.like((await listMails(r.db))[0], { status: 'sent', attempts: 1 });
  } finally {
    release();
    await r.sink.close();
    await r.db.destroy();
  }
});

test('postgres: two notifiers on one queue send each mail once', async (t) => {
  const schema = await pgDatabase.schema();
  const dbA = await schema.open();
  const dbB = await schema.open();
  const sink = await startSmtpSink();
  const make = (db: Kysely<Database>) =>
    createNotifier({
      db,
      config: mailConfig({ smtp: { host: '127.0.0.1', port: sink.port, secure: false } }),
      logger: recordingLogger(),
      batchSize: 2,
    });
  const a = make(dbA);
  const b = make(dbB);
  try {
    const count = 30;
    for (let i = 0; i < count; i++) await a.enqueue(callNotice(i));
    a.start();
    b.start();
    await Promise.all([a.flush(), b.flush()]);
    const received = await sink.waitForMessages(count);
    const called = received.map((m) => /Called number: (\d+)/.exec(m.text ?? '')?.[1]);
    t.is(new Set(called).size, count, 'every mail once');
    t.is(sink.attempts, count, 'no mail sent twice');
    const rows = await listMails(dbA);
    t.true(rows.every((m) => m.status === 'sent' && m.attempts === 1));
  } finally {
    await a.stop();
    await b.stop();
    await sink.close();
    await dbA.destroy();
    await dbB.destroy();
  }
});
