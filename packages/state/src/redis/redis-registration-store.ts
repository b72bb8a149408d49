import type { Redis } from 'ioredis';
import type { Binding, Clock, RegistrationStore } from '../types.ts';
import {
  putScript,
  removeAllScript,
  removeByConnectionScript,
  removeScript,
} from './registration-scripts.ts';
import { runScript } from './run-script.ts';

/**
 * Keys (after the store's prefix):
 *   reg:aor:<aor>                      hash bindingId → Binding JSON; key TTL = latest expiry
 *   reg:aors                           zset aor → latest expiry, for countAors
 *   reg:conn:<serverId>:<connectionId> set of [aor, bindingId] JSON, for removeByConnection
 */
export class RedisRegistrationStore implements RegistrationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(redis: Redis, prefix: string, clock: Clock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#clock = clock;
  }

  async list(aor: string): Promise<Binding[]> {
    const now = this.#clock.now();
    const values = await this.#redis.hvals(this.#aorKey(aor));
    return values.map((v) => JSON.parse(v) as Binding).filter((b) => b.expiresAt > now);
  }

  async put(binding: Binding): Promise<void> {
    const connectionId = binding.flow.connectionId;
    await runScript(
      this.#redis,
      putScript,
      [
        this.#aorKey(binding.aor),
        this.#aorsKey(),
        this.#connKey(binding.serverId, connectionId ?? ''),
      ],
      [
        binding.bindingId,
        JSON.stringify(binding),
        this.#clock.now(),
        binding.aor,
        connectionId === undefined ? '' : JSON.stringify([binding.aor, binding.bindingId]),
        Math.ceil(binding.expiresAt),
      ],
    );
  }

  async remove(aor: string, bindingId: string): Promise<boolean> {
    const live = await runScript(
      this.#redis,
      removeScript,
      [this.#aorKey(aor), this.#aorsKey()],
      [bindingId, this.#clock.now(), aor],
    );
    return live === 1;
  }

  async removeAll(aor: string): Promise<number> {
    return Number(
      await runScript(
        this.#redis,
        removeAllScript,
        [this.#aorKey(aor), this.#aorsKey()],
        [this.#clock.now(), aor],
      ),
    );
  }

  async removeByConnection(serverId: string, connectionId: string): Promise<Binding[]> {
    const removed = await runScript(
      this.#redis,
      removeByConnectionScript,
      [this.#connKey(serverId, connectionId), this.#aorsKey()],
      [this.#aorKey(''), serverId, connectionId, this.#clock.now()],
    );
    return (removed as string[]).map((v) => JSON.parse(v) as Binding);
  }

  async countAors(): Promise<number> {
    const now = this.#clock.now();
    const results = await this.#redis
      .multi()
      .zremrangebyscore(this.#aorsKey(), '-inf', now)
      .zcard(this.#aorsKey())
      .exec();
    const [, count] = results?.[1] ?? [];
    return Number(count);
  }

  #aorKey(aor: string): string {
    return `${this.#prefix}reg:aor:${aor}`;
  }

  #aorsKey(): string {
    return `${this.#prefix}reg:aors`;
  }

  #connKey(serverId: string, connectionId: string): string {
    // serverId is ours (no colon by convention); JSON keeps odd ids unambiguous anyway.
    return `${this.#prefix}reg:conn:${JSON.stringify([serverId, connectionId])}`;
  }
}
