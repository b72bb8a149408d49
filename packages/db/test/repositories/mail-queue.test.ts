import { PostgresAdapter, sql } from 'kysely';
import {
  claimDueMails,
  enqueueMail,
  listMails,
  markMailFailed,
  markMailRetry,
  markMailSent,
  pruneMails,
  type NewMail,
} from '../../src/repositories/mail-queue.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const lease = 60_000;

const mail = (subject: string, extra: Partial<NewMail> = {}): NewMail => ({
  kind: 'incoming_call',
  recipients: ['a@example.jp'],
  subject,
  textBody: `body of ${subject}`,
  ...extra,
});

dialectTest(
  'an enqueued mail is queued, due at once, with its JSON columns read back',
  async (t, db) => {
    const id = await enqueueMail(
      db,
      mail('voicemail', {
        kind: 'voicemail',
        recipients: ['a@example.jp', 'b@example.jp'],
        attachments: [{ filename: '20251123_7.wav', path: '/vm/7.wav', contentType: 'audio/wav' }],
      }),
      now,
    );
    const plain = await enqueueMail(db, mail('plain'), now);
    t.true(plain > id);
    const [first, second] = await listMails(db);
    t.deepEqual(first, {
      id,
      kind: 'voicemail',
      recipients: ['a@example.jp', 'b@example.jp'],
      subject: 'voicemail',
      text_body: 'body of voicemail',
      attachments: [{ filename: '20251123_7.wav', path: '/vm/7.wav', contentType: 'audio/wav' }],
      status: 'queued',
      attempts: 0,
      next_attempt_at: now.toISOString(),
      claimed_until: null,
      last_error: null,
      created_at: now.toISOString(),
      sent_at: null,
    });
    t.deepEqual(second?.attachments, []);
    await t.throwsAsync(enqueueMail(db, mail('nobody', { recipients: [] }), now), {
      instanceOf: RangeError,
    });
  },
);

dialectTest(
  'a claim takes due mails oldest first, up to the limit, and leases them',
  async (t, db) => {
    const a = await enqueueMail(db, mail('a'), now);
    const b = await enqueueMail(db, mail('b'), now);
    await enqueueMail(db, mail('not yet due'), at(300));
    const c = await enqueueMail(db, mail('c'), now);
    const two = await claimDueMails(db, now, 2, lease);
    t.deepEqual(
      two.map((m) => m.id),
      [a, b],
    );
    for (const m of two) {
      t.is(m.status, 'sending');
      t.is(m.attempts, 1);
      t.is(m.claimed_until, at(60).toISOString());
    }
    t.deepEqual(
      (await claimDueMails(db, now, 2, lease)).map((m) => m.id),
      [c],
    );
    t.deepEqual(await claimDueMails(db, at(1), 2, lease), [], 'leased rows are not claimed again');
    t.deepEqual(
      (await listMails(db, { status: 'queued' })).map((m) => m.subject),
      ['not yet due'],
    );
    await t.throwsAsync(claimDueMails(db, now, 0, lease), { instanceOf: RangeError });
    await t.throwsAsync(claimDueMails(db, now, 1, 0), { instanceOf: RangeError });
  },
);

dialectTest('a retry waits until its time; attempts count every claim', async (t, db) => {
  const id = await enqueueMail(db, mail('retry'), now);
  const [first] = await claimDueMails(db, now, 1, lease);
  t.is(first?.attempts, 1);
  t.true(await markMailRetry(db, id, '451 try later', at(30)));
  const [queued] = await listMails(db);
  t.like(queued, {
    status: 'queued',
    attempts: 1,
    next_attempt_at: at(30).toISOString(),
    claimed_until: null,
    last_error: '451 try later',
  });
  t.deepEqual(await claimDueMails(db, at(29), 1, lease), []);
  const [second] = await claimDueMails(db, at(30), 1, lease);
  t.is(second?.attempts, 2);
  t.true(await markMailSent(db, id, at(31)));
  t.like((await listMails(db))[0], {
    status: 'sent',
    attempts: 2,
    sent_at: at(31).toISOString(),
    claimed_until: null,
    last_error: '451 try later',
  });
  t.deepEqual(await claimDueMails(db, at(9999), 1, lease), [], 'a sent mail is never claimed');
});

dialectTest("a mail whose sender's lease ran out is claimed again", async (t, db) => {
  const id = await enqueueMail(db, mail('crash'), now);
  await claimDueMails(db, now, 1, lease);
  t.deepEqual(await claimDueMails(db, at(59), 1, lease), []);
  const [again] = await claimDueMails(db, at(60), 1, lease);
  t.is(again?.id, id);
  t.is(again?.attempts, 2);
  t.is(again?.claimed_until, at(120).toISOString());
});

dialectTest('marks only move a mail being sent', async (t, db) => {
  const id = await enqueueMail(db, mail('m'), now);
  t.false(await markMailSent(db, id, now), 'still queued');
  t.false(await markMailRetry(db, id, 'e', now));
  t.false(await markMailFailed(db, id, 'e'));
  await claimDueMails(db, now, 1, lease);
  t.true(await markMailFailed(db, id, 'attachment missing: /vm/1.wav'));
  t.like((await listMails(db, { status: 'failed' }))[0], {
    id,
    last_error: 'attachment missing: /vm/1.wav',
    claimed_until: null,
  });
  t.false(await markMailSent(db, id, now), 'a failed mail stays failed');
  t.false(await markMailSent(db, 999_999, now));
});

dialectTest('long errors are cut', async (t, db) => {
  const id = await enqueueMail(db, mail('m'), now);
  await claimDueMails(db, now, 1, lease);
  await markMailFailed(db, id, 'x'.repeat(10_000));
  t.is((await listMails(db))[0]?.last_error?.length, 2000);
});

dialectTest('listMails filters by status and kind', async (t, db) => {
  const a = await enqueueMail(db, mail('a'), now);
  const b = await enqueueMail(db, mail('b', { kind: 'test' }), now);
  await enqueueMail(db, mail('c', { kind: 'test' }), at(1));
  await claimDueMails(db, now, 1, lease);
  t.deepEqual(
    (await listMails(db, { status: 'sending' })).map((m) => m.id),
    [a],
  );
  t.deepEqual(
    (await listMails(db, { status: 'queued', kind: 'test' })).map((m) => m.subject),
    ['b', 'c'],
  );
  t.is((await listMails(db, { kind: 'test' }))[0]?.id, b);
});

dialectTest(
  'prune deletes sent and failed mail older than the cut, never unsent mail',
  async (t, db) => {
    const sent = await enqueueMail(db, mail('sent'), now);
    const failed = await enqueueMail(db, mail('failed'), now);
    const waiting = await enqueueMail(db, mail('waiting'), now);
    const sending = await enqueueMail(db, mail('sending'), now);
    const recent = await enqueueMail(db, mail('recent'), at(100));
    const claimed = await claimDueMails(db, at(100), 10, lease);
    t.is(claimed.length, 5);
    await markMailSent(db, sent, at(100));
    await markMailFailed(db, failed, 'e');
    await markMailRetry(db, waiting, 'e', at(200));
    await markMailSent(db, recent, at(100));
    t.is(await pruneMails(db, at(100)), 2);
    t.is(await pruneMails(db, at(100)), 0);
    t.deepEqual(
      (await listMails(db)).map((m) => m.id),
      [waiting, sending, recent],
    );
  },
);

dialectTest('the schema refuses unknown kinds and statuses', async (t, db) => {
  await violates(
    t,
    enqueueMail(db, mail('x', { kind: 'fax' as 'test' }), now),
    'check',
    'mail_queue_kind',
  );
  const id = await enqueueMail(db, mail('x'), now);
  await violates(
    t,
    db
      .updateTable('mail_queue')
      .set({ status: 'bounced' as 'sent' })
      .where('id', '=', id)
      .execute(),
    'check',
    'mail_queue_status',
  );
});

dialectTest('concurrent claimers never get the same mail', async (t, db) => {
  const ids: number[] = [];
  for (let i = 0; i < 60; i++) ids.push(await enqueueMail(db, mail(`m${i}`), now));
  // Eight senders at once, each claiming until nothing is left (PostgreSQL: the pool gives
  // each its own connection, so their transactions overlap).
  const claimer = async () => {
    const mine: number[] = [];
    for (;;) {
      const batch = await claimDueMails(db, now, 3, lease);
      if (batch.length === 0) return mine;
      mine.push(...batch.map((m) => m.id));
    }
  };
  const claimed = (await Promise.all(Array.from({ length: 8 }, claimer))).flat();
  t.is(claimed.length, ids.length, 'no mail claimed twice');
  t.deepEqual(
    [...claimed].sort((x, y) => x - y),
    ids,
  );
  t.true((await listMails(db)).every((m) => m.status === 'sending' && m.attempts === 1));
});

dialectTest('a claimer passes over rows another transaction holds', async (t, db) => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    // SQLite has one writer and no row locks: there is nothing to skip.
    t.pass();
    return;
  }
  const a = await enqueueMail(db, mail('a'), now);
  const b = await enqueueMail(db, mail('b'), now);
  await db.transaction().execute(async (tx) => {
    await sql`SELECT id FROM mail_queue WHERE id = ${a} FOR UPDATE`.execute(tx);
    // Another connection: it must neither wait for this transaction nor take 'a'.
    const claimed = await claimDueMails(db, now, 10, lease);
    t.deepEqual(
      claimed.map((m) => m.id),
      [b],
    );
  });
  t.deepEqual(
    (await claimDueMails(db, now, 10, lease)).map((m) => m.id),
    [a],
  );
});
