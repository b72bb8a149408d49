import {
  countVoicemailMessages,
  deleteVoicemailMessage,
  findVoicemailBox,
  findVoicemailMessage,
  insertVoicemailMessage,
  listVoicemailMessages,
  markVoicemailSaved,
  saveVoicemailBoxState,
  setVoicemailGreeting,
  type VoicemailDeposit,
} from '../../src/repositories/voicemail.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const later = new Date(now.getTime() + 60_000);

function deposit(
  numberId: number,
  id: string,
  change: Partial<VoicemailDeposit> = {},
): VoicemailDeposit {
  return {
    id,
    numberId,
    caller: '09011112222',
    callerAnonymity: null,
    called: '0312345678',
    receivedAt: new Date(
      `2025-11-23T${id.slice(8, 10)}:${id.slice(10, 12)}:${id.slice(12, 14)}.000Z`,
    ),
    durationMs: 12_340,
    audioFile: `${numberId}/${id}.wav`,
    callId: `call-${id}`,
    ...change,
  };
}

dialectTest('a message is stored as new and read back whole', async (t, db) => {
  const { base } = await seedTenant(db);
  const row = deposit(base.id, '20251123090000-a1b2c3');
  const stored = await insertVoicemailMessage(db, row, now);
  t.deepEqual(stored, { ...row, status: 'new', createdAt: now });
  const text = await db.selectFrom('voicemail_messages').selectAll().executeTakeFirstOrThrow();
  // Times are stored as ISO 8601 UTC text like every other table's.
  t.is(text.received_at, '2025-11-23T09:00:00.000Z');
  t.is(text.created_at, now.toISOString());
  t.deepEqual(await findVoicemailMessage(db, base.id, row.id), stored);
  t.deepEqual(await listVoicemailMessages(db, base.id), [stored]);
});

dialectTest('a withheld caller is stored without a number', async (t, db) => {
  const { base } = await seedTenant(db);
  const row = deposit(base.id, '20251123090000-zzzzzz', {
    caller: null,
    callerAnonymity: 'withheld',
    callId: null,
    durationMs: 0,
  });
  const stored = await insertVoicemailMessage(db, row, now);
  t.is(stored.caller, null);
  t.is(stored.callerAnonymity, 'withheld');
  t.is(stored.callId, null);
  t.is(stored.durationMs, 0);
});

dialectTest('lists are oldest first, per box, filtered by status', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  // Inserted out of order; two share a second, so the id breaks the tie.
  for (const id of [
    '20251123091500-bbbbbb',
    '20251123090000-cccccc',
    '20251123091500-aaaaaa',
    '20251123093000-dddddd',
  ])
    await insertVoicemailMessage(db, deposit(base.id, id), now);
  await insertVoicemailMessage(db, deposit(base2.id, '20251123080000-eeeeee'), now);
  await markVoicemailSaved(db, base.id, '20251123091500-aaaaaa');
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  t.deepEqual(ids(await listVoicemailMessages(db, base.id)), [
    '20251123090000-cccccc',
    '20251123091500-aaaaaa',
    '20251123091500-bbbbbb',
    '20251123093000-dddddd',
  ]);
  t.deepEqual(ids(await listVoicemailMessages(db, base.id, { status: 'new' })), [
    '20251123090000-cccccc',
    '20251123091500-bbbbbb',
    '20251123093000-dddddd',
  ]);
  t.deepEqual(ids(await listVoicemailMessages(db, base.id, { status: 'saved' })), [
    '20251123091500-aaaaaa',
  ]);
  t.deepEqual(ids(await listVoicemailMessages(db, base2.id)), ['20251123080000-eeeeee']);
});

dialectTest('counts by status, 0 for an empty box', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  t.deepEqual(await countVoicemailMessages(db, base.id), { new: 0, saved: 0 });
  for (const id of ['20251123090000-aaaaaa', '20251123090100-bbbbbb', '20251123090200-cccccc'])
    await insertVoicemailMessage(db, deposit(base.id, id), now);
  await insertVoicemailMessage(db, deposit(base2.id, '20251123090300-dddddd'), now);
  await markVoicemailSaved(db, base.id, '20251123090100-bbbbbb');
  t.deepEqual(await countVoicemailMessages(db, base.id), { new: 2, saved: 1 });
  t.deepEqual(await countVoicemailMessages(db, base2.id), { new: 1, saved: 0 });
});

dialectTest('saving keeps the message; only the owning box can save it', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  const id = '20251123090000-aaaaaa';
  await insertVoicemailMessage(db, deposit(base.id, id), now);
  t.false(await markVoicemailSaved(db, base2.id, id));
  t.is((await findVoicemailMessage(db, base.id, id))?.status, 'new');
  t.true(await markVoicemailSaved(db, base.id, id));
  t.true(await markVoicemailSaved(db, base.id, id));
  t.is((await findVoicemailMessage(db, base.id, id))?.status, 'saved');
  t.false(await markVoicemailSaved(db, base.id, '20251123090000-nosuch'));
});

dialectTest('deleting returns the audio file once; only the owning box can', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  const id = '20251123090000-aaaaaa';
  await insertVoicemailMessage(db, deposit(base.id, id), now);
  await insertVoicemailMessage(db, deposit(base.id, '20251123090100-bbbbbb'), now);
  t.is(await findVoicemailMessage(db, base2.id, id), undefined);
  t.is(await deleteVoicemailMessage(db, base2.id, id), undefined);
  t.is(await deleteVoicemailMessage(db, base.id, id), `${base.id}/${id}.wav`);
  t.is(await deleteVoicemailMessage(db, base.id, id), undefined);
  t.is(await findVoicemailMessage(db, base.id, id), undefined);
  t.deepEqual(await countVoicemailMessages(db, base.id), { new: 1, saved: 0 });
});

dialectTest('a box without a row has the system greeting and no failures', async (t, db) => {
  const { base } = await seedTenant(db);
  t.deepEqual(await findVoicemailBox(db, base.id), {
    numberId: base.id,
    greetingFile: null,
    pinFailures: 0,
    lockedUntil: null,
    updatedAt: null,
  });
});

dialectTest('PIN state and greeting are stored independently', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  const lockedUntil = Date.parse('2025-11-23T09:15:00.000Z');
  await saveVoicemailBoxState(db, base.id, { pinFailures: 3, lockedUntil }, now);
  t.deepEqual(await findVoicemailBox(db, base.id), {
    numberId: base.id,
    greetingFile: null,
    pinFailures: 3,
    lockedUntil,
    updatedAt: now,
  });
  const text = await db.selectFrom('voicemail_boxes').selectAll().executeTakeFirstOrThrow();
  t.is(text.locked_until, '2025-11-23T09:15:00.000Z');
  await setVoicemailGreeting(db, base.id, `${base.id}/greeting.wav`, later);
  t.deepEqual(await findVoicemailBox(db, base.id), {
    numberId: base.id,
    greetingFile: `${base.id}/greeting.wav`,
    pinFailures: 3,
    lockedUntil,
    updatedAt: later,
  });
  await saveVoicemailBoxState(db, base.id, { pinFailures: 0, lockedUntil: null }, later);
  t.like(await findVoicemailBox(db, base.id), {
    greetingFile: `${base.id}/greeting.wav`,
    pinFailures: 0,
    lockedUntil: null,
  });
  await setVoicemailGreeting(db, base.id, null, later);
  t.like(await findVoicemailBox(db, base.id), { greetingFile: null, pinFailures: 0 });
  // A greeting set first creates the row with no failures.
  await setVoicemailGreeting(db, base2.id, `${base2.id}/greeting.wav`, now);
  t.deepEqual(await findVoicemailBox(db, base2.id), {
    numberId: base2.id,
    greetingFile: `${base2.id}/greeting.wav`,
    pinFailures: 0,
    lockedUntil: null,
    updatedAt: now,
  });
});

dialectTest("a number's messages and box go with it", async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  await insertVoicemailMessage(db, deposit(base.id, '20251123090000-aaaaaa'), now);
  await insertVoicemailMessage(db, deposit(base2.id, '20251123090000-bbbbbb'), now);
  await saveVoicemailBoxState(db, base.id, { pinFailures: 1, lockedUntil: null }, now);
  await saveVoicemailBoxState(db, base2.id, { pinFailures: 2, lockedUntil: null }, now);
  await db.deleteFrom('numbers').where('id', '=', base.id).execute();
  t.deepEqual(await db.selectFrom('voicemail_messages').select(['id', 'number_id']).execute(), [
    { id: '20251123090000-bbbbbb', number_id: base2.id },
  ]);
  t.deepEqual(await db.selectFrom('voicemail_boxes').select('number_id').execute(), [
    { number_id: base2.id },
  ]);
});

dialectTest('the schema refuses bad statuses, anonymity, durations and numbers', async (t, db) => {
  const { base } = await seedTenant(db);
  let n = 0;
  const insert = (change: Record<string, unknown>) =>
    db
      .insertInto('voicemail_messages')
      .values({
        id: `20251123090000-x${String(n++).padStart(5, '0')}`,
        number_id: base.id,
        called: '0312345678',
        received_at: now.toISOString(),
        duration_ms: 1000,
        audio_file: 'x.wav',
        created_at: now.toISOString(),
        ...change,
      } as never)
      .execute();
  await violates(t, insert({ status: 'deleted' }), 'check', 'voicemail_messages_status');
  await violates(
    t,
    insert({ caller_anonymity: 'hidden' }),
    'check',
    'voicemail_messages_caller_anonymity',
  );
  await violates(t, insert({ duration_ms: -1 }), 'check', 'voicemail_messages_duration');
  await violates(t, insert({ number_id: 999_999 }), 'foreign key');
  await insertVoicemailMessage(db, deposit(base.id, '20251123090000-dup000'), now);
  await violates(
    t,
    insertVoicemailMessage(db, deposit(base.id, '20251123090000-dup000'), now),
    'unique',
  );
  await violates(
    t,
    saveVoicemailBoxState(db, base.id, { pinFailures: -1, lockedUntil: null }, now),
    'check',
    'voicemail_boxes_pin_failures',
  );
  await violates(t, setVoicemailGreeting(db, 999_999, null, now), 'foreign key');
  t.deepEqual(await countVoicemailMessages(db, base.id), { new: 1, saved: 0 });
});
