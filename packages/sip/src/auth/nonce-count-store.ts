// Replay protection (RFC 7616 §3.3 nc, RFC 2617 §4.5 replay attacks): the highest nonce-count
// accepted per nonce. Behind an interface so a shared store (Redis) can back a server farm.
import { systemClock, type Clock } from '../core/clock.ts';

export interface NonceCountStore {
  /** Records `nc` for `nonce` and resolves true when it is higher than every count accepted
   * before for that nonce; false for a repeated or lower count. The entry may be dropped once
   * `expiresAt` (ms since the epoch) has passed, since the nonce is stale by then. */
  accept(nonce: string, nc: number, expiresAt: number): Promise<boolean>;
}

export interface MemoryNonceCountStoreOptions {
  /** Most nonces remembered at once (default 100,000). */
  maxEntries?: number;
  clock?: Clock;
}

interface Entry {
  nc: number;
  expiresAt: number;
}

/** In-process store, bounded. When full it forgets the oldest nonce and from then on refuses
 * any unknown nonce expiring no later than the forgotten one: it may have been seen before,
 * and a refused client simply gets a fresh nonce. */
export class MemoryNonceCountStore implements NonceCountStore {
  readonly #max: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  #forgottenUntil = -Infinity;

  constructor(options: MemoryNonceCountStoreOptions = {}) {
    this.#max = Math.max(1, options.maxEntries ?? 100_000);
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#entries.size;
  }

  accept(nonce: string, nc: number, expiresAt: number): Promise<boolean> {
    return Promise.resolve(this.#accept(nonce, nc, expiresAt));
  }

  #accept(nonce: string, nc: number, expiresAt: number): boolean {
    this.#dropExpiredHead();
    const entry = this.#entries.get(nonce);
    if (entry) {
      if (nc <= entry.nc) return false;
      entry.nc = nc;
      return true;
    }
    if (expiresAt <= this.#forgottenUntil) return false;
    if (this.#entries.size >= this.#max) this.#forgetOldest();
    this.#entries.set(nonce, { nc, expiresAt });
    return true;
  }

  /** Cheap incremental clean-up: the first-inserted entries are usually the first to expire. */
  #dropExpiredHead(): void {
    const now = this.#clock.now();
    for (let i = 0; i < 4; i++) {
      const first = this.#entries.entries().next();
      if (first.done || first.value[1].expiresAt > now) return;
      this.#entries.delete(first.value[0]);
    }
  }

  #forgetOldest(): void {
    const first = this.#entries.entries().next();
    if (first.done) return;
    this.#entries.delete(first.value[0]);
    this.#forgottenUntil = Math.max(this.#forgottenUntil, first.value[1].expiresAt);
  }
}
