import type { Redis } from 'ioredis';
import type { ChannelStore, Clock } from '../types.ts';
import { acquireScript, refreshScript } from './channel-scripts.ts';
import { runScript } from './run-script.ts';

/**
 * Keys (after the store's prefix):
 *   chan:<line>   zset callId → hold expiry; key TTL = latest expiry
 */
export class RedisChannelStore implements ChannelStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(redis: Redis, prefix: string, clock: Clock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#clock = clock;
  }

  async acquire(line: string, callId: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const taken = await runScript(
      this.#redis,
      acquireScript,
      [this.#lineKey(line)],
      [callId, now, Math.ceil(now + ttlMs), limit],
    );
    return taken === 1;
  }

  async refresh(line: string, callId: string, ttlMs: number): Promise<void> {
    const now = this.#clock.now();
    await runScript(
      this.#redis,
      refreshScript,
      [this.#lineKey(line)],
      [callId, now, Math.ceil(now + ttlMs)],
    );
  }

  // Single commands are atomic on their own; no script needed. A lapsed member left behind
  // by release or inUse is pruned by the next acquire or refresh, or goes with the key.
  async release(line: string, callId: string): Promise<void> {
    await this.#redis.zrem(this.#lineKey(line), callId);
  }

  async inUse(line: string): Promise<number> {
    // '(' makes the bound exclusive: a hold expiring exactly now has lapsed.
    return await this.#redis.zcount(this.#lineKey(line), `(${this.#clock.now()}`, '+inf');
  }

  #lineKey(line: string): string {
    return `${this.#prefix}chan:${line}`;
  }
}
