// SPEC §3.8: the monthly counts of refused calls, added up in memory and written every
// second, so a flood of blocked calls costs one upsert per number and month rather than
// one per call. A failed write keeps its counts for the next try.
import type { ScreeningCountAddition } from '@ipvoice/db';
import type { Clock, Logger, TimerHandle } from '@ipvoice/sip';

export interface ScreeningCounterWriterOptions {
  write: (rows: ScreeningCountAddition[]) => Promise<void>;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
}

type Key = `${number}|${ScreeningCountAddition['feature']}|${string}`;

export class ScreeningCounterWriter {
  readonly #o: ScreeningCounterWriterOptions;
  #pending = new Map<Key, ScreeningCountAddition>();
  #timer: TimerHandle | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: ScreeningCounterWriterOptions) {
    this.#o = options;
  }

  /** Counts one refused call. */
  add(row: Omit<ScreeningCountAddition, 'count'>): void {
    const key: Key = `${row.numberId}|${row.feature}|${row.month}`;
    const entry = this.#pending.get(key);
    if (entry) entry.count++;
    else this.#pending.set(key, { ...row, count: 1 });
    this.#timer ??= this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#o.flushIntervalMs ?? 1000);
  }

  /** Writes what has been counted; resolves when it is written or has failed (and waits). */
  async flush(): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#o
      .write([...batch.values()])
      .catch((err: unknown) => {
        this.#o.logger.warn({ err, rows: batch.size }, 'screening counters not written; retrying');
        for (const [key, row] of batch) {
          const later = this.#pending.get(key);
          if (later) later.count += row.count;
          else this.#pending.set(key, row);
        }
        this.#timer ??= this.#o.clock.setTimeout(() => {
          this.#timer = undefined;
          void this.flush();
        }, this.#o.flushIntervalMs ?? 1000);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  /** Writes the rest and stops. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
