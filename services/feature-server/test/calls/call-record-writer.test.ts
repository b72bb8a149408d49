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
  /** When the insert was called, by the fake clock. */
  at: number;
  /** Whether it went in; undefined while held. */
  ok?: boolean;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An insert the test controls: each call settles as `next` says, given the call_ids of its
 * rows ('ok', an Error to reject with, or 'hold' to leave it in flight until the test
 * settles it).
 */
class FakeInsert {
  readonly calls: InsertCall[] = [];
  next: (ids: string[]) => 'ok' | 'hold' | Error = () => 'ok';

  constructor(readonly clock: FakeClock) {}

  readonly insert = (rows: NewCallRecord[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const ids = rows.map((r) => r.call_id);
      const call: InsertCall = {
        ids,
        at: this.clock.now(),
        resolve: () => {
          call.ok = true;
          resolve();
        },
        reject: (error) => {
          call.ok = false;
          reject(error);
        },
      };
      this.calls.push(call);
      const outcome = this.next(ids);
      if (outcome === 'ok') call.resolve();
      else if (outcome instanceof Error) call.reject(outcome);
    });

  get batches(): string[][] {
    return this.calls.map((c) => c.ids);
  }

  /** call_ids of the inserts that went in, in the order they went in. */
  get written(): string[] {
    return this.calls.filter((c) => c.ok === true).flatMap((c) => c.ids);
  }
}

/**
 * A database that refuses `poisoned` rows (as a foreign key to a deleted number would) and,
 * while `down`, everything.
 */
function database(fake: FakeInsert, poisoned: string[] = []) {
  const state = { down: false };
  fake.next = (ids) => {
    if (state.down) return new Error('connection refused');
    const bad = ids.find((id) => poisoned.includes(id));
    return bad === undefined ? 'ok' : new Error(`FOREIGN KEY constraint failed (${bad})`);
  };
  return state;
}

const ids = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

function setup(options: Partial<CallRecordWriterOptions> = {}) {
  const clock = new FakeClock();
  const fake = new FakeInsert(clock);
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
  /** Lets the timer start `count` inserts, one at a time, each settling by `fake.next`. */
  const attempts = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const before = fake.calls.length;
      clock.advance(options.flushIntervalMs ?? 200);
      if (fake.calls.length !== before + 1) throw new Error(`no insert started at ${before}`);
      await flushes(fake.calls.length);
    }
  };
  /** Lets the timer run until the writer has nothing left to try. */
  const untilIdle = async (limit = 1_000) => {
    for (let i = 0; i < limit; i++) {
      const before = fake.calls.length;
      clock.advance(options.flushIntervalMs ?? 200);
      if (fake.calls.length === before) return;
      await flushes(fake.calls.length);
    }
    throw new Error(`still inserting after ${limit} attempts`);
  };
  return { clock, fake, errors, writer, results, flushes, attempts, untilIdle };
}

/** Rows set aside, by call_id, in the order the hook heard of them. */
function rejectedIds(results: FlushResult[]): string[] {
  return results.flatMap((r) => ('rejected' in r ? [r.rejected.call_id] : []));
}

/**
 * `written` is `expected` in order, except that the first row in after an outage may come
 * before the stalled rows it showed were not refused (it went in while they waited).
 */
function inOrderButTheWitness(written: string[], expected: string[]): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(written, expected)) return true;
  const [first, ...rest] = written;
  return same(
    rest,
    expected.filter((id) => id !== first),
  );
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

for (const position of [0, 20]) {
  test(`a row the database refuses on its own (at ${position} of 50) is set aside; the 49 others go in, in order`, async (t) => {
    const { fake, errors, writer, results, untilIdle } = setup();
    const all = ids(50);
    const poisoned = all[position] ?? '';
    database(fake, [poisoned]);
    for (const id of all) writer.write(row(id));
    await untilIdle();

    t.deepEqual(
      fake.written,
      all.filter((id) => id !== poisoned),
    );
    t.is(writer.rejected, 1);
    t.is(writer.queued, 0);
    t.deepEqual(rejectedIds(results), [poisoned]);
    t.like(
      results.find((r) => 'rejected' in r),
      {
        ok: false,
        error: { message: `FOREIGN KEY constraint failed (${poisoned})` },
      },
    );
    t.deepEqual(
      fake.batches.slice(0, 3),
      [all, all, all],
      'the whole batch is tried isolateAfterFailures times before it is split',
    );
    // Three times alone, then once more after the next row went in, the proof it was up.
    t.is(fake.batches.filter((b) => b.length === 1 && b[0] === poisoned).length, 4);
    const logged = errors.filter((e) => e.msg === 'call record refused by the database: set aside');
    t.is(logged.length, 1);
    t.like(logged[0]?.obj, {
      callId: poisoned,
      err: { message: `FOREIGN KEY constraint failed (${poisoned})` },
    });
  });
}

test('isolateAfterFailures sets how often a batch and then a row fail before that', async (t) => {
  const { fake, writer, untilIdle } = setup({ isolateAfterFailures: 1 });
  database(fake, ['b']);
  for (const id of ['a', 'b', 'c']) writer.write(row(id));
  await untilIdle();
  t.deepEqual(fake.batches, [['a', 'b', 'c'], ['a', 'b'], ['a'], ['b'], ['c'], ['b']]);
  t.deepEqual(fake.written, ['a', 'c']);
  t.is(writer.rejected, 1);
});

// Whatever the moment the database comes back, over two full rounds of retrying and splitting.
test('a database down for many flushes gets every row, in order but for the first one back, and none set aside', async (t) => {
  const all = ids(50);
  const later = ids(10, 'late');
  for (let downFor = 0; downFor <= 130; downFor++) {
    const { fake, writer, results, attempts, untilIdle } = setup();
    const db = database(fake);
    db.down = true;
    for (const id of all) writer.write(row(id));
    await attempts(Math.min(downFor, 20));
    for (const id of later) writer.write(row(id));
    await attempts(Math.max(0, downFor - 20));
    const gaps = fake.calls.slice(1).map((c, i) => c.at - (fake.calls[i]?.at ?? 0));
    t.true(
      gaps.every((ms) => ms >= 200),
      `down for ${downFor}: one insert per interval while every insert fails`,
    );
    t.deepEqual(fake.written, [], `down for ${downFor}: nothing went in`);

    db.down = false;
    await untilIdle();
    t.is(writer.rejected, 0, `down for ${downFor}: nothing set aside`);
    t.deepEqual(rejectedIds(results), []);
    t.is(writer.queued, 0);
    t.true(
      inOrderButTheWitness(fake.written, [...all, ...later]),
      `down for ${downFor}: written ${fake.written.join(' ')}`,
    );
  }
});

test('a database back within the first retries takes the whole batch in one insert, as before', async (t) => {
  const { fake, writer, attempts } = setup();
  const db = database(fake);
  db.down = true;
  for (const id of ['a', 'b', 'c', 'd']) writer.write(row(id));
  await attempts(2);
  db.down = false;
  await attempts(1);
  t.deepEqual(fake.batches, [
    ['a', 'b', 'c', 'd'],
    ['a', 'b', 'c', 'd'],
    ['a', 'b', 'c', 'd'],
  ]);
  t.deepEqual(fake.written, ['a', 'b', 'c', 'd']);
});

test('a refused row during an outage is set aside only once the database is back', async (t) => {
  const all = ids(50);
  for (let downFor = 0; downFor <= 130; downFor += 3) {
    const { fake, errors, writer, results, attempts, untilIdle } = setup();
    const db = database(fake, ['r20']);
    db.down = true;
    for (const id of all) writer.write(row(id));
    await attempts(downFor);
    t.is(writer.rejected, 0, `down for ${downFor}: nothing set aside while down`);
    t.deepEqual(rejectedIds(results), []);

    db.down = false;
    await untilIdle();
    t.deepEqual(rejectedIds(results), ['r20'], `down for ${downFor}`);
    t.is(writer.rejected, 1);
    t.true(
      inOrderButTheWitness(
        fake.written,
        all.filter((id) => id !== 'r20'),
      ),
      `down for ${downFor}: written ${fake.written.join(' ')}`,
    );
    t.like(errors.find((e) => e.msg === 'call record refused by the database: set aside')?.obj, {
      callId: 'r20',
    });
  }
});

test('a row is set aside only if another insert went in between its first and last failure', async (t) => {
  const { fake, writer, results, attempts, untilIdle } = setup();
  const db = database(fake, ['h']);
  for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) writer.write(row(id));
  await attempts(4);
  t.deepEqual(fake.written, ['a', 'b', 'c', 'd'], 'split: the first half went in');

  // Down right after: the rows failing now were never refused while the database was up.
  db.down = true;
  await attempts(30);
  t.is(writer.rejected, 0);

  db.down = false;
  await attempts(50);
  t.deepEqual(fake.written, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  t.is(writer.rejected, 0, 'nothing after h went in since it failed: h waits, retried');
  t.deepEqual(fake.batches.at(-1), ['h']);

  writer.write(row('i'));
  await untilIdle();
  t.deepEqual(fake.written, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'i']);
  t.deepEqual(rejectedIds(results), ['h']);
  t.is(writer.queued, 0);
});

test('flush carries on past a row set aside', async (t) => {
  const { fake, writer, attempts } = setup({ isolateAfterFailures: 1 });
  database(fake, ['b']);
  for (const id of ['a', 'b', 'c']) writer.write(row(id));
  await attempts(4);
  t.deepEqual(fake.batches.at(-1), ['b'], 'b stalled, waiting for c to go in');
  await writer.flush();
  t.deepEqual(fake.written, ['a', 'c']);
  t.is(writer.rejected, 1);
});

test('close counts the rows of a batch being split among those not written', async (t) => {
  const { fake, errors, writer, attempts } = setup();
  database(fake, ['a']);
  for (const id of ['a', 'b', 'c', 'd']) writer.write(row(id));
  await attempts(4);
  t.deepEqual(fake.batches.at(-1), ['a', 'b'], 'being split');
  await t.throwsAsync(writer.close(), { message: 'FOREIGN KEY constraint failed (a)' });
  t.deepEqual(errors.at(-1), { obj: { lost: 4 }, msg: 'call records not written at close' });
});
