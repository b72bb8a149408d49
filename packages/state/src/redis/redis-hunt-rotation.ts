import type { Redis } from 'ioredis';
import {
  checkHuntPosition,
  checkHuntSize,
  huntPositionTtlMs,
  type Clock,
  type HuntRotation,
} from '../types.ts';
import { claimScript, settleScript } from './hunt-scripts.ts';
import { runScript } from './run-script.ts';

/**
 * Keys (after the store's prefix):
 *   hunt:<group>   string: the position of the previous call's first attempt; key TTL 30 days
 */
export class RedisHuntRotation implements HuntRotation {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(redis: Redis, prefix: string, clock: Clock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#clock = clock;
  }

  async claim(group: string, size: number): Promise<number> {
    checkHuntSize(size);
    const position = await runScript(
      this.#redis,
      claimScript,
      [this.#groupKey(group)],
      [size, this.#expiresAt()],
    );
    return Number(position);
  }

  async settle(group: string, claimed: number, actual: number): Promise<boolean> {
    checkHuntPosition('claimed', claimed);
    checkHuntPosition('actual', actual);
    const recorded = await runScript(
      this.#redis,
      settleScript,
      [this.#groupKey(group)],
      [claimed, actual, this.#expiresAt()],
    );
    return recorded === 1;
  }

  #expiresAt(): number {
    return Math.ceil(this.#clock.now() + huntPositionTtlMs);
  }

  #groupKey(group: string): string {
    return `${this.#prefix}hunt:${group}`;
  }
}
