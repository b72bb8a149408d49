import { MemoryStateStore } from './memory/memory-state-store.ts';
import { RedisStateStore } from './redis/redis-state-store.ts';
import type { Clock, StateStore } from './types.ts';

export interface CreateStateStoreOptions {
  driver: 'memory' | 'redis';
  /** Required for the redis driver. */
  redisUrl?: string;
  clock?: Clock;
  /** Redis only: prefix of every key and channel (default `ipvoice:`). */
  keyPrefix?: string;
  onError?: (err: unknown) => void;
}

export function createStateStore(options: CreateStateStoreOptions): StateStore {
  const common = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
  if (options.driver === 'memory') return new MemoryStateStore(common);
  if (!options.redisUrl) throw new TypeError('createStateStore: the redis driver needs redisUrl');
  return new RedisStateStore({
    url: options.redisUrl,
    ...common,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  });
}
