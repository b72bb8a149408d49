import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { systemClock, type Clock, type MessageHandler, type StateStore } from '../types.ts';
import { RedisChannelStore } from './redis-channel-store.ts';
import { RedisHuntRotation } from './redis-hunt-rotation.ts';
import { RedisRegistrationStore } from './redis-registration-store.ts';
import { releaseLockScript } from './registration-scripts.ts';
import { runScript } from './run-script.ts';

export interface RedisStateStoreOptions {
  url: string;
  /** Decides which bindings count as expired; Redis key TTLs follow the same timestamps. */
  clock?: Clock;
  /** Prepended to every key and channel (default `ipvoice:`). */
  keyPrefix?: string;
  /** Connection errors (ioredis reconnects by itself) and handler exceptions. */
  onError?: (err: unknown) => void;
}

/** Shared state for a cluster of feature servers. */
export class RedisStateStore implements StateStore {
  readonly registrations: RedisRegistrationStore;
  readonly channels: RedisChannelStore;
  readonly hunt: RedisHuntRotation;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #onError: (err: unknown) => void;
  /** Subscribed connections cannot send other commands, so pub/sub gets its own, made on demand. */
  #subscriber: Redis | undefined;
  readonly #handlers = new Map<string, Set<MessageHandler>>();
  #closed = false;

  constructor(options: RedisStateStoreOptions) {
    this.#prefix = options.keyPrefix ?? 'ipvoice:';
    this.#onError = options.onError ?? (() => {});
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.#redis.on('error', this.#onError);
    const clock = options.clock ?? systemClock;
    this.registrations = new RedisRegistrationStore(this.#redis, this.#prefix, clock);
    this.channels = new RedisChannelStore(this.#redis, this.#prefix, clock);
    this.hunt = new RedisHuntRotation(this.#redis, this.#prefix, clock);
  }

  async withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const key = `${this.#prefix}lock:${name}`;
    const token = randomUUID();
    // Polls with jitter; locks guard short operations (hunt pointers, provisioning), so a
    // few milliseconds of latency is cheaper than a notification channel per lock.
    for (
      let delay = 2;
      (await this.#redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK';
      delay = Math.min(delay * 2, 50)
    ) {
      await sleep(delay / 2 + Math.random() * delay);
    }
    try {
      return await fn();
    } finally {
      // Token-checked so a holder whose lock lapsed cannot delete the next holder's lock.
      await runScript(this.#redis, releaseLockScript, [key], [token]);
    }
  }

  async tryLock(
    name: string,
    ttlMs: number,
    owner?: string,
  ): Promise<(() => Promise<void>) | undefined> {
    const key = `${this.#prefix}lock:${name}`;
    // The owner travels in the lock's value after the token (a UUID never holds `|`), so the
    // lock and who holds it appear and lapse together; release checks the whole value.
    const value = owner === undefined ? randomUUID() : `${randomUUID()}|${owner}`;
    if ((await this.#redis.set(key, value, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    return async () => {
      await runScript(this.#redis, releaseLockScript, [key], [value]);
    };
  }

  async lockOwner(name: string): Promise<string | undefined> {
    const value = await this.#redis.get(`${this.#prefix}lock:${name}`);
    const bar = value?.indexOf('|') ?? -1;
    return value === null || bar < 0 ? undefined : value.slice(bar + 1);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#redis.publish(this.#prefix + channel, message);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const subscriber = this.#subscriberConnection();
    const wrapper: MessageHandler = (m) => handler(m);
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      this.#handlers.set(channel, (handlers = new Set()));
      handlers.add(wrapper);
      await subscriber.subscribe(this.#prefix + channel);
    } else {
      handlers.add(wrapper);
    }
    return async () => {
      const set = this.#handlers.get(channel);
      if (!set?.delete(wrapper) || set.size > 0) return;
      this.#handlers.delete(channel);
      await subscriber.unsubscribe(this.#prefix + channel);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#redis.quit(), this.#subscriber?.quit()]);
  }

  #subscriberConnection(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const sub = this.#redis.duplicate();
    sub.on('error', this.#onError);
    sub.on('message', (prefixed: string, message: string) => {
      const channel = prefixed.slice(this.#prefix.length);
      for (const handler of this.#handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch (err) {
          this.#onError(err);
        }
      }
    });
    this.#subscriber = sub;
    return sub;
  }
}
