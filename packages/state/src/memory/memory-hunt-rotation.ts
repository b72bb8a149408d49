import {
  checkHuntPosition,
  checkHuntSize,
  huntPositionTtlMs,
  type Clock,
  type HuntRotation,
} from '../types.ts';

/** group → the position of the member that took the previous call's first attempt. */
export type HuntPositionTable = Map<string, { position: number; expiresAt: number }>;

/**
 * Hunt positions in a Map. Expiry is decided by the injected clock on every operation, and
 * lapsed positions are pruned then and by `sweep`, so a FakeClock controls it fully.
 */
export class MemoryHuntRotation implements HuntRotation {
  readonly #table: HuntPositionTable;
  readonly #clock: Clock;

  constructor(table: HuntPositionTable, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
  }

  // Each method does its work before its first await, so within one process a claim and a
  // settle cannot interleave with another call's: atomic as the Redis scripts are.
  async claim(group: string, size: number): Promise<number> {
    checkHuntSize(size);
    const now = this.#clock.now();
    const stored = this.#live(group, now);
    const position = stored === undefined ? 0 : (stored + 1) % size;
    this.#table.set(group, { position, expiresAt: now + huntPositionTtlMs });
    return position;
  }

  async settle(group: string, claimed: number, actual: number): Promise<boolean> {
    checkHuntPosition('claimed', claimed);
    checkHuntPosition('actual', actual);
    const now = this.#clock.now();
    if (this.#live(group, now) !== claimed) return false;
    this.#table.set(group, { position: actual, expiresAt: now + huntPositionTtlMs });
    return true;
  }

  /** Drops every lapsed position. */
  sweep(): void {
    const now = this.#clock.now();
    for (const group of [...this.#table.keys()]) this.#live(group, now);
  }

  /** The group's position unless it has lapsed (then it is dropped). */
  #live(group: string, now: number): number | undefined {
    const entry = this.#table.get(group);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) return entry.position;
    this.#table.delete(group);
    return undefined;
  }
}
