// SPEC §3.13: every call attempt leaves a record, "written without slowing call setup".
// Calls hand their record over synchronously; the database sees them in batches, one
// insert at a time, in the order they were written. While the database is away the rows
// wait in memory, up to a bound past which the oldest are given up (and logged).
// A batch that keeps failing is split to find rows the database refuses on their own (a
// number deleted before the flush, a CHECK): those are set aside so the rest get through.
// DEVIATION (SPEC §3.13 order): telling such a row from an outage takes another row going
// in after it; if the database comes back just then, that one row lands ahead of the rows
// that waited. Listings sort by started_at, so only the id tie-break sees it.
import type { NewCallRecord } from '@ipvoice/db';
import type { Clock, Logger, TimerHandle } from '@ipvoice/sip';

/** What one insert attempt did, for the `onFlushed` hook. */
export type FlushResult =
  | { ok: true; written: number }
  /** The rows stay, to be tried again. */
  | { ok: false; error: unknown; rows: number; queued: number }
  /** The database refused this row on its own while accepting others: set aside for good. */
  | { ok: false; rejected: NewCallRecord; error: unknown };

export interface CallRecordWriterOptions {
  /** Writes rows in one go, e.g. `(rows) => insertCallRecords(db, rows)`. */
  insert: (rows: NewCallRecord[]) => Promise<void>;
  logger: Logger;
  clock: Clock;
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Rows waiting (besides the one batch in flight) before the oldest are dropped. */
  maxQueued?: number;
  /**
   * Consecutive failures of a batch before it is split to find the rows refused on their
   * own; also how often such a row is tried alone before it is set aside. Default 3.
   */
  isolateAfterFailures?: number;
  /** Called after every insert attempt, whichever way it went. */
  onFlushed?: (result: FlushResult) => void;
}

/** FIFO with O(1) removal at the head: shifting a 100,000-row array on every drop would not be. */
class RowQueue {
  #rows: NewCallRecord[] = [];
  #head = 0;

  get size(): number {
    return this.#rows.length - this.#head;
  }

  push(row: NewCallRecord): void {
    this.#rows.push(row);
  }

  take(n: number): NewCallRecord[] {
    const taken = this.#rows.slice(this.#head, this.#head + n);
    this.#head += taken.length;
    this.#compact();
    return taken;
  }

  /** Puts a failed batch back in front, ahead of anything written since. */
  putBack(rows: NewCallRecord[]): void {
    this.#rows = rows.concat(this.#rows.slice(this.#head));
    this.#head = 0;
  }

  dropOldest(n: number): void {
    this.#head += n;
    this.#compact();
  }

  #compact(): void {
    if (this.#head === this.#rows.length) {
      this.#rows = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#head);
      this.#head = 0;
    }
  }
}

interface Entry {
  row: NewCallRecord;
  /** Inserts of this row alone that failed, and the pass's number of the first of them. */
  failures: number;
  firstFailedAt: number;
}

/**
 * A batch that failed `limit` times in a row, split in halves (recursively, the left first, so
 * the good rows still go in order) until each row that fails is failing alone.
 *
 * A row is set aside only if, besides failing alone `limit` times, the database accepted
 * another insert of this pass between its first failure and its last: proof that it was up
 * and refused this row. While a row waits for that proof it is "stalled", and the pass tries
 * the rows after it one by one until one goes in. If none does, the database looks down: the
 * stalled rows go back to the queue, in order, and nothing is set aside.
 */
class IsolationPass {
  readonly #limit: number;
  /** Rows still to try, in the order they were written; stalled rows precede them all. */
  #ranges: Entry[][];
  #stalled: Entry[] = [];
  #attempt = 0;
  #lastOkAt = -1;

  constructor(rows: NewCallRecord[], limit: number) {
    this.#limit = limit;
    this.#ranges = [];
    this.#split(rows.map((row) => ({ row, failures: 0, firstFailedAt: -1 })));
  }

  /** Nothing left to try now (stalled rows, if any, wait for proof that never came). */
  get done(): boolean {
    return this.#ranges.length === 0;
  }

  /** Rows neither written nor set aside, the ones in flight included. */
  get size(): number {
    return this.#stalled.length + this.#ranges.reduce((n, r) => n + r.length, 0);
  }

  /** The rows of the next insert; they are out of the pass until `accepted` or `refused`. */
  next(): Entry[] {
    this.#attempt++;
    const front = this.#ranges.shift() ?? [];
    // Looking for proof that the database is up: one row at a time, so a database that comes
    // back meanwhile writes only that row ahead of the stalled ones.
    if (this.#stalled.length > 0 && front.length > 1) {
      this.#ranges.unshift(front.slice(1));
      return front.slice(0, 1);
    }
    return front;
  }

  accepted(): void {
    this.#lastOkAt = this.#attempt;
    // The database is up: stalled rows get their try now, in front of everything else.
    if (this.#stalled.length > 0) this.#ranges.unshift(this.#stalled);
    this.#stalled = [];
  }

  /** Splits a failed range; returns the row to set aside, if this failure settled one. */
  refused(entries: Entry[]): Entry | undefined {
    const [entry] = entries;
    if (entry === undefined) return undefined;
    if (entries.length > 1) {
      this.#split(entries, true);
      return undefined;
    }
    entry.failures++;
    if (entry.firstFailedAt < 0) entry.firstFailedAt = this.#attempt;
    const refusedWhileUp = this.#lastOkAt > entry.firstFailedAt;
    if (entry.failures >= this.#limit && refusedWhileUp) return entry;
    if (entry.failures >= this.#limit || this.#stalled.length > 0) this.#stalled.push(entry);
    else this.#ranges.unshift([entry]);
    return undefined;
  }

  /** Stalled rows no other insert proved refusable: back to the queue, not set aside. */
  leftover(): NewCallRecord[] {
    const rows = this.#stalled.concat(...this.#ranges).map((e) => e.row);
    this.#stalled = [];
    this.#ranges = [];
    return rows;
  }

  #split(entries: Entry[], front = false): void {
    const mid = Math.ceil(entries.length / 2);
    const halves = [entries.slice(0, mid), entries.slice(mid)].filter((h) => h.length > 0);
    if (front) this.#ranges.unshift(...halves);
    else this.#ranges.push(...halves);
  }
}

export class CallRecordWriter {
  readonly #insert: CallRecordWriterOptions['insert'];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #maxBatch: number;
  readonly #maxQueued: number;
  readonly #onFlushed: CallRecordWriterOptions['onFlushed'];
  readonly #isolateAfter: number;

  readonly #queue = new RowQueue();
  #inFlight: Promise<FlushResult> | undefined;
  #timer: TimerHandle | undefined;
  #timerImmediate = false;
  /** After a failed insert, full batches wait for the interval too: no retry storm. */
  #failing = false;
  /** Consecutive failed inserts of the batch at the head of the queue. */
  #streak = 0;
  /** The batch being split, once it failed `isolateAfterFailures` times; the next inserts
   * come from it until it is through. Like a batch in flight, it is not in `queued`. */
  #pass: IsolationPass | undefined;
  #closed = false;
  /** Rows ever written, and rows gone for good (inserted, dropped or set aside); both only
   * grow, and rows leave in the order they came, so `flush` knows when its rows are through. */
  #accepted = 0;
  #settled = 0;
  #dropped = 0;
  #rejected = 0;
  #droppedUnreported = 0;

  constructor(options: CallRecordWriterOptions) {
    this.#insert = options.insert;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#intervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#onFlushed = options.onFlushed;
    this.#isolateAfter = Math.max(1, options.isolateAfterFailures ?? 3);
  }

  /** Rows waiting to be written, not counting a batch in flight. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Rows given up since the start (queue full, or written after close). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Rows set aside since the start because the database refused them on their own. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Queues a record and returns at once; never throws, never waits for the database. */
  write(row: NewCallRecord): void {
    try {
      this.#accepted++;
      if (this.#closed) {
        this.#settled++;
        this.#dropped++;
        this.#logger.error({ callId: row.call_id }, 'call record written after close: dropped');
        return;
      }
      this.#queue.push(row);
      this.#trim();
      // A batch in flight re-arms the timer when it settles.
      if (this.#inFlight === undefined) this.#arm();
    } catch (err) {
      this.#logger.error({ err }, 'call record not queued');
    }
  }

  /**
   * Writes every row written before the call, waiting for a batch in flight first.
   * Rejects with the insert's error when a batch fails; its rows stay queued for the timer.
   * A row set aside is through, not a failure.
   */
  async flush(): Promise<void> {
    const goal = this.#accepted;
    // Whichever way the timer's batch goes, its rows are ours to try again if it failed.
    if (this.#inFlight !== undefined) await this.#inFlight;
    while (this.#settled < goal) {
      const result = await (this.#inFlight ?? this.#startBatch());
      if (!result.ok && !('rejected' in result)) throw result.error;
    }
  }

  /** Flushes and stops the timer; rows that still could not be written are logged as lost. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#disarm();
    try {
      await this.flush();
    } finally {
      this.#disarm();
      this.#reportDropped();
      const lost = this.#queue.size + (this.#pass?.size ?? 0);
      if (lost > 0) this.#logger.error({ lost }, 'call records not written at close');
    }
  }

  /** Drops the oldest rows past `maxQueued`; logs the first drop now, the rest in sums. */
  #trim(): void {
    const excess = this.#queue.size - this.#maxQueued;
    if (excess <= 0) return;
    this.#queue.dropOldest(excess);
    this.#settled += excess;
    this.#dropped += excess;
    if (this.#droppedUnreported === 0)
      this.#logger.error(
        { maxQueued: this.#maxQueued },
        'call record queue full: dropping the oldest records',
      );
    this.#droppedUnreported += excess;
  }

  #reportDropped(): void {
    if (this.#droppedUnreported === 0) return;
    this.#logger.error({ dropped: this.#droppedUnreported }, 'call records dropped');
    this.#droppedUnreported = 0;
  }

  /** Schedules the next batch: at once for a full one, else after the interval. */
  #arm(): void {
    if (this.#closed || (this.#queue.size === 0 && this.#pass === undefined)) return;
    // A pass that just got rows in goes on at once: the database is up.
    const immediate =
      !this.#failing && (this.#pass !== undefined || this.#queue.size >= this.#maxBatch);
    if (this.#timer !== undefined) {
      if (!immediate || this.#timerImmediate) return;
      this.#clock.clearTimeout(this.#timer);
    }
    this.#timerImmediate = immediate;
    // Even a full batch goes through the timer, so the insert never runs inside write().
    this.#timer = this.#clock.setTimeout(this.#tick, immediate ? 0 : this.#intervalMs);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    if (this.#inFlight === undefined && (this.#queue.size > 0 || this.#pass !== undefined))
      void this.#startBatch();
  };

  #startBatch(): Promise<FlushResult> {
    if (this.#pass === undefined && this.#streak >= this.#isolateAfter)
      this.#pass = new IsolationPass(this.#queue.take(this.#maxBatch), this.#isolateAfter);
    const attempt =
      this.#pass === undefined
        ? this.#attempt(this.#queue.take(this.#maxBatch))
        : this.#attemptIsolated(this.#pass);
    this.#inFlight = attempt;
    // Registered before any caller's await, so it runs first: the writer is ready for the
    // next batch, timer armed, before the hook or `flush` hears of this one.
    void attempt.then((result) => {
      this.#inFlight = undefined;
      this.#reportDropped();
      this.#arm();
      try {
        this.#onFlushed?.(result);
      } catch (err) {
        this.#logger.error({ err }, 'onFlushed hook threw');
      }
    });
    return attempt;
  }

  /** Never rejects: a failure is logged and its rows go back in front. */
  async #attempt(batch: NewCallRecord[]): Promise<FlushResult> {
    let result: FlushResult;
    try {
      await this.#insert(batch);
      this.#settled += batch.length;
      this.#failing = false;
      this.#streak = 0;
      result = { ok: true, written: batch.length };
    } catch (error) {
      this.#failing = true;
      this.#streak++;
      this.#queue.putBack(batch);
      this.#trim();
      result = { ok: false, error, rows: batch.length, queued: this.#queue.size };
      this.#logger.error(
        { err: error, rows: batch.length, queued: this.#queue.size },
        'call records not written; retrying on the next flush',
      );
    }
    return result;
  }

  /** One insert of a pass. Never rejects, like `#attempt`. */
  async #attemptIsolated(pass: IsolationPass): Promise<FlushResult> {
    const entries = pass.next();
    const rows = entries.map((e) => e.row);
    let result: FlushResult;
    try {
      await this.#insert(rows);
      pass.accepted();
      this.#settled += rows.length;
      this.#failing = false;
      this.#streak = 0;
      result = { ok: true, written: rows.length };
    } catch (error) {
      const refused = pass.refused(entries);
      if (refused === undefined) {
        this.#failing = true;
        result = { ok: false, error, rows: rows.length, queued: this.#queue.size };
        this.#logger.error(
          { err: error, rows: rows.length, queued: this.#queue.size },
          'call records not written; retrying on the next flush',
        );
      } else {
        // Another insert of this pass went in since the row first failed: the database is up.
        this.#failing = false;
        this.#settled++;
        this.#rejected++;
        result = { ok: false, rejected: refused.row, error };
        this.#logger.error(
          { callId: refused.row.call_id, err: error, attempts: refused.failures },
          'call record refused by the database: set aside',
        );
      }
    }
    if (pass.done) {
      this.#pass = undefined;
      // Left over only if no insert after them went in: the database looks down, so they
      // wait in front of the queue as a batch that failed would, and nothing is set aside.
      const leftover = pass.leftover();
      if (leftover.length > 0) {
        this.#streak = 0;
        this.#queue.putBack(leftover);
        this.#trim();
      }
    }
    return result;
  }
}
