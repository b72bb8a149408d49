import test from 'ava';
import {
  insertCallRecords,
  listCallRecords,
  migrateToLatest,
  openDatabase,
  type NewCallRecord,
} from '@ipvoice/db';
import { FakeClock, type Logger } from '@ipvoice/sip';
import {
  CallRecordWriter,
  type CallRecordWriterOptions,
  type FlushResult,
} from '../../src/calls/call-record-writer.ts';

function row(callId: string): NewCallRecord {
  return {
    call_id: callId,
    server_id: 'fs1',
    direction: 'incoming',
    called: '0312345678',
    started_at: '2026-01-05T09:00:00.000Z',
    ended_at: '2026-01-05T09:00:30.000Z',
    outcome: 'no_answer',
    rate_band: 'normal',
  };
}

interface InsertCall {
  ids: string[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An insert the test controls: each call settles as `next` says ('ok', an Error to
 * reject with, or 'hold' to leave it in flight until the test settles it).
 */
class FakeInsert {
  readonly calls: InsertCall[] = [];
  next: () => 'ok' | 'hold' | Error = () => 'ok';

  readonly insert = (rows: NewCallRecord[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const call = { ids: rows.map((r) => r.call_id), resolve, reject };
      this.calls.push(call);
      const outcome = this.next();
      if (outcome === 'ok') resolve();
      else if (outcome instanceof Error) reject(outcome);
    });

  get batches(): string[][] {
    return this.calls.map((c) => c.ids);
  }
}

function setup(options: Partial<CallRecordWriterOptions> = {}) {
  const clock = new FakeClock();
  const fake = new FakeInsert();
  const errors: Array<{ obj: object; msg: string | undefined }> = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj, msg) => errors.push({ obj, msg }),
  };
  const results: FlushResult[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const writer = new CallRecordWriter({
    insert: fake.insert,
    logger,
    clock,
    onFlushed: (result) => {
      results.push(result);
      for (const w of waiting.filter((w) => results.length >= w.count)) w.resolve();
    },
    ...options,
  });
  /** Resolves once `count` insert attempts have settled in all. */
  const flushes = (count: number) =>
    new Promise<FlushResult[]>((resolve) => {
      if (results.length >= count) resolve(results);
      else waiting.push({ count, resolve: () => resolve(results) });
    });
  return { clock, fake, errors, writer, results, flushes };
}

test('rows wait for the interval, then go in one batch, in order', async (t) => {
  const { clock, fake, writer, flushes } = setup();
  for (const id of ['a', 'b', 'c']) writer.write(row(id));
  t.deepEqual(fake.batches, [], 'write() never inserts by itself');
  clock.advance(199);
  t.deepEqual(fake.batches, []);
  clock.advance(1);
  t.deepEqual(await flushes(1), [{ ok: true, written: 3 }]);
  t.deepEqual(fake.batches, [['a', 'b', 'c']]);
  t.is(writer.queued, 0);
  t.is(clock.pending, 0, 'an idle writer keeps no timer');
});

test('a full batch goes at once, the rest after the interval', async (t) => {
  const { clock, fake, writer, flushes } = setup({ maxBatch: 3 });
  for (const id of ['a', 'b', 'c', 'd']) writer.write(row(id));
  t.deepEqual(fake.batches, [], 'not even a full batch is inserted inside write()');
  clock.advance(0);
  await flushes(1);
  t.deepEqual(fake.batches, [['a', 'b', 'c']]);
  clock.advance(199);
  t.deepEqual(fake.batches, [['a', 'b', 'c']]);
  clock.advance(1);
  await flushes(2);
  t.deepEqual(fake.batches, [['a', 'b', 'c'], ['d']]);
});

test('a failed insert is logged and retried on the next flush, in order', async (t) => {
  const { clock, fake, errors, writer, flushes } = setup();
  fake.next = () => 'hold';
  writer.write(row('a'));
  writer.write(row('b'));
  clock.advance(200);
  writer.write(row('c'));
  fake.calls[0]?.reject(new Error('database unavailable'));
  const [failed] = await flushes(1);
  t.like(failed, { ok: false, rows: 2, queued: 3 });
  t.is(errors.length, 1);
  t.is(errors[0]?.msg, 'call records not written; retrying on the next flush');

  fake.next = () => 'ok';
  writer.write(row('d'));
  clock.advance(199);
  t.is(fake.calls.length, 1, 'no retry before the interval');
  clock.advance(1);
  await flushes(2);
  t.deepEqual(fake.batches, [
    ['a', 'b'],
    ['a', 'b', 'c', 'd'],
  ]);
  t.is(writer.queued, 0);
});

test('while inserts fail, even full batches wait for the interval', async (t) => {
  const { clock, fake, writer, flushes } = setup({ maxBatch: 2 });
  fake.next = () => new Error('database unavailable');
  writer.write(row('a'));
  writer.write(row('b'));
  clock.advance(0);
  await flushes(1);
  writer.write(row('c'));
  writer.write(row('d'));
  clock.advance(0);
  t.is(fake.calls.length, 1, 'no immediate retry against a failing database');
  clock.advance(200);
  await flushes(2);
  t.deepEqual(fake.batches, [
    ['a', 'b'],
    ['a', 'b'],
  ]);
});

test('past maxQueued the oldest rows are dropped, logged once and then summed', async (t) => {
  const { clock, fake, errors, writer, flushes } = setup({ maxQueued: 3 });
  for (const id of ['a', 'b', 'c', 'd', 'e']) writer.write(row(id));
  t.is(writer.queued, 3);
  t.is(writer.dropped, 2);
  t.deepEqual(
    errors.map((e) => e.msg),
    ['call record queue full: dropping the oldest records'],
  );
  clock.advance(200);
  await flushes(1);
  t.deepEqual(fake.batches, [['c', 'd', 'e']]);
  t.deepEqual(errors[1], { obj: { dropped: 2 }, msg: 'call records dropped' });
});

test('a failed batch put back counts against maxQueued, oldest first', async (t) => {
  const { clock, fake, writer, flushes } = setup({ maxQueued: 3, maxBatch: 2 });
  fake.next = () => 'hold';
  writer.write(row('a'));
  writer.write(row('b'));
  clock.advance(0);
  t.deepEqual(fake.batches, [['a', 'b']]);
  for (const id of ['c', 'd', 'e']) writer.write(row(id));
  t.is(writer.dropped, 0, 'the batch in flight is not part of the queue');
  fake.calls[0]?.reject(new Error('timeout'));
  await flushes(1);
  t.is(writer.dropped, 2);
  fake.next = () => 'ok';
  clock.advance(200);
  await flushes(2);
  t.deepEqual(fake.batches.at(-1), ['c', 'd']);
});

test('flush waits for the batch in flight, then writes what is left', async (t) => {
  const { clock, fake, writer } = setup();
  fake.next = () => 'hold';
  writer.write(row('a'));
  clock.advance(200);
  writer.write(row('b'));
  const flushed = writer.flush();
  fake.next = () => 'ok';
  t.deepEqual(fake.batches, [['a']], 'no second insert while one is in flight');
  fake.calls[0]?.resolve();
  await flushed;
  t.deepEqual(fake.batches, [['a'], ['b']]);
  t.is(writer.queued, 0);
});

test('flush retries a batch in flight that failed, then rejects if it fails again', async (t) => {
  const { clock, fake, writer } = setup();
  fake.next = () => 'hold';
  writer.write(row('a'));
  clock.advance(200);
  const flushed = writer.flush();
  fake.next = () => new Error('still down');
  fake.calls[0]?.reject(new Error('down'));
  await t.throwsAsync(flushed, { message: 'still down' });
  t.deepEqual(fake.batches, [['a'], ['a']]);
  t.is(writer.queued, 1, 'the row stays queued');
  t.is(clock.pending, 1, 'and the timer will try again');

  fake.next = () => 'ok';
  await writer.flush();
  t.is(writer.queued, 0);
});

test('an insert that throws synchronously is a failed flush, not a throwing write', async (t) => {
  const { clock, writer, flushes } = setup({
    insert: () => {
      throw new Error('not a promise');
    },
  });
  t.notThrows(() => writer.write(row('a')));
  clock.advance(200);
  const [result] = await flushes(1);
  t.like(result, { ok: false, queued: 1 });
});

test('close flushes and stops the timer; later writes are dropped and logged', async (t) => {
  const { clock, fake, errors, writer } = setup();
  writer.write(row('a'));
  t.is(clock.pending, 1);
  await writer.close();
  t.deepEqual(fake.batches, [['a']]);
  t.is(clock.pending, 0);

  t.notThrows(() => writer.write(row('late')));
  t.is(writer.dropped, 1);
  t.is(errors.at(-1)?.msg, 'call record written after close: dropped');
  clock.advance(10_000);
  t.deepEqual(fake.batches, [['a']]);
});

test('close reports the rows it could not write', async (t) => {
  const { clock, fake, errors, writer } = setup();
  fake.next = () => new Error('database unavailable');
  writer.write(row('a'));
  await t.throwsAsync(writer.close(), { message: 'database unavailable' });
  t.is(clock.pending, 0);
  t.deepEqual(errors.at(-1), { obj: { lost: 1 }, msg: 'call records not written at close' });
});

test('records reach a real SQLite database in the order they were written', async (t) => {
  const db = openDatabase('sqlite::memory:');
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const { clock, writer, flushes } = setup({
    insert: (rows) => insertCallRecords(db, rows),
    maxBatch: 2,
  });
  for (const id of ['a', 'b', 'c']) writer.write(row(id));
  clock.advance(0);
  await flushes(1);
  t.deepEqual(
    (await listCallRecords(db)).map((r) => r.call_id),
    ['a', 'b'],
  );
  await writer.close();
  t.deepEqual(
    (await listCallRecords(db)).map((r) => r.call_id),
    ['a', 'b', 'c'],
  );
});
