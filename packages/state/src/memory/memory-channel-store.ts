import type { ChannelStore, Clock } from '../types.ts';

/** line → callId → expiresAt (ms since the epoch). */
export type ChannelTable = Map<string, Map<string, number>>;

/**
 * Channel holds in a Map. Expiry is decided by the injected clock on every operation, and
 * lapsed holds are pruned then and by `sweep`, so a FakeClock controls it fully.
 */
export class MemoryChannelStore implements ChannelStore {
  readonly #table: ChannelTable;
  readonly #clock: Clock;

  constructor(table: ChannelTable, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
  }

  // Each method does its work before its first await, so within one process the check and
  // the take cannot interleave with another call's: atomic as the Redis script is.
  async acquire(line: string, callId: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const holds = this.#prune(line, now);
    const expiresAt = now + ttlMs;
    const held = holds?.get(callId);
    if (held !== undefined) {
      holds?.set(callId, Math.max(held, expiresAt));
      return true;
    }
    if ((holds?.size ?? 0) >= limit) return false;
    if (holds) holds.set(callId, expiresAt);
    else this.#table.set(line, new Map([[callId, expiresAt]]));
    return true;
  }

  async refresh(line: string, callId: string, ttlMs: number): Promise<void> {
    const now = this.#clock.now();
    const holds = this.#prune(line, now);
    if (holds?.has(callId)) holds.set(callId, now + ttlMs);
  }

  async release(line: string, callId: string): Promise<void> {
    const holds = this.#table.get(line);
    if (!holds?.delete(callId)) return;
    if (holds.size === 0) this.#table.delete(line);
  }

  async inUse(line: string): Promise<number> {
    return this.#prune(line, this.#clock.now())?.size ?? 0;
  }

  /** Drops every lapsed hold. */
  sweep(): void {
    const now = this.#clock.now();
    for (const line of [...this.#table.keys()]) this.#prune(line, now);
  }

  /** The line's live holds after dropping lapsed ones; undefined when none are left. */
  #prune(line: string, now: number): Map<string, number> | undefined {
    const holds = this.#table.get(line);
    if (!holds) return undefined;
    for (const [callId, expiresAt] of holds) if (expiresAt <= now) holds.delete(callId);
    if (holds.size > 0) return holds;
    this.#table.delete(line);
    return undefined;
  }
}
