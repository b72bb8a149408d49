// SPEC §3.13: every call attempt leaves a record, "written without slowing call setup".
// Calls hand their record over synchronously; the database sees them in batches, one
// insert at a time, in the order they were written. While the database is away the rows
// wait in memory, up to a bound past which the oldest are given up (and logged).
import type { NewCallRecord } from '@ipvoice/db';
import type { Clock, Logger, TimerHandle } from '@ipvoice/sip';

/** What one insert attempt did, for the `onFlushed` hook. */
export type FlushResult =
  { ok: true; written: number } | { ok: false; error: unknown; rows: number; queued: number };

export interface CallRecordWriterOptions {
  /** Writes rows in one go, e.g. `(rows) => insertCallRecords(db, rows)`. */
  insert: (rows: NewCallRecord[]) => Promise<void>;
  logger: Logger;
  clock: Clock;
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Rows waiting (besides the one batch in flight) before the oldest are dropped. */
  maxQueued?: number;
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

export class CallRecordWriter {
  readonly #insert: CallRecordWriterOptions['insert'];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #maxBatch: number;
  readonly #maxQueued: number;
  readonly #onFlushed: CallRecordWriterOptions['onFlushed'];

  readonly #queue = new RowQueue();
  #inFlight: Promise<FlushResult> | undefined;
  #timer: TimerHandle | undefined;
  #timerImmediate = false;
  /** After a failed insert, full batches wait for the interval too: no retry storm. */
  #failing = false;
  #closed = false;
  /** Rows ever written, and rows gone for good (inserted or dropped); both only grow, and
   * rows leave in the order they came, so `flush` knows when its rows are through. */
  #accepted = 0;
  #settled = 0;
  #dropped = 0;
  #droppedUnreported = 0;

  constructor(options: CallRecordWriterOptions) {
    this.#insert = options.insert;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#intervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#onFlushed = options.onFlushed;
  }

  /** Rows waiting to be written, not counting a batch in flight. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Rows given up since the start (queue full, or written after close). */
  get dropped(): number {
    return this.#dropped;
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
   */
  async flush(): Promise<void> {
    const goal = this.#accepted;
    // Whichever way the timer's batch goes, its rows are ours to try again if it failed.
    if (this.#inFlight !== undefined) await this.#inFlight;
    while (this.#settled < goal) {
      const result = await (this.#inFlight ?? this.#startBatch());
      if (!result.ok) throw result.error;
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
      const lost = this.#queue.size;
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
    if (this.#closed || this.#queue.size === 0) return;
    const immediate = !this.#failing && this.#queue.size >= this.#maxBatch;
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
    if (this.#inFlight === undefined && this.#queue.size > 0) void this.#startBatch();
  };

  #startBatch(): Promise<FlushResult> {
    const batch = this.#queue.take(this.#maxBatch);
    const attempt = this.#attempt(batch);
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
      result = { ok: true, written: batch.length };
    } catch (error) {
      this.#failing = true;
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
}
