import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import type { Database, Kysely } from '@ipvoice/db';
import { MemoryBackend, MemoryStateStore, RedisStateStore, type StateStore } from '@ipvoice/state';
import { type Dialect, postgres, sqlite } from '../../../db/test/helpers/dialects.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Opens state stores on one backend: what several API/feature servers would share. */
export interface StateBackend {
  name: 'memory' | 'redis';
  /** A new store on the same backend (locks and messages shared). */
  open(): StateStore;
  /** A new store on a backend of its own (nothing shared): only the database is common. */
  openApart(): StateStore;
}

export interface Setup {
  db: Kysely<Database>;
  state: StateBackend;
}

type Body = (t: ExecutionContext, setup: Setup) => Promise<void>;

function memoryBackend(): StateBackend & { close(): Promise<void> } {
  const backend = new MemoryBackend();
  const opened: StateStore[] = [];
  const keep = (s: StateStore) => (opened.push(s), s);
  return {
    name: 'memory',
    open: () => keep(new MemoryStateStore({ backend })),
    openApart: () => keep(new MemoryStateStore()),
    close: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}

function redisBackend(admin: Redis): StateBackend & { close(): Promise<void> } {
  const keyPrefix = `test:${randomUUID()}:`;
  const opened: StateStore[] = [];
  const keep = (s: StateStore) => (opened.push(s), s);
  return {
    name: 'redis',
    open: () => keep(new RedisStateStore({ url: redisUrl, keyPrefix })),
    openApart: () =>
      keep(new RedisStateStore({ url: redisUrl, keyPrefix: `test:${randomUUID()}:` })),
    close: async () => {
      await Promise.all(opened.map((s) => s.close()));
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    },
  };
}

/**
 * Registers each test once per database dialect and state backend ("sqlite/memory: …",
 * "postgres/redis: …"), each on a freshly migrated database and an isolated state backend.
 */
export function eachSetup(): (
  title: string,
  body: Body,
  options?: { dialects: Array<Dialect['name']> },
) => void {
  const dialects: Dialect[] = [sqlite, postgres()];
  let admin: Redis | undefined;
  test.after.always(async () => {
    for (const dialect of dialects) await dialect.teardown();
    await admin?.quit();
  });
  return (title, body, options) => {
    for (const dialect of dialects) {
      if (options !== undefined && !options.dialects.includes(dialect.name)) continue;
      for (const backendName of ['memory', 'redis'] as const) {
        test(`${dialect.name}/${backendName}: ${title}`, async (t) => {
          const { db, dispose } = await dialect.open();
          const state =
            backendName === 'memory'
              ? memoryBackend()
              : redisBackend((admin ??= new Redis(redisUrl)));
          try {
            await body(t, { db, state });
          } finally {
            await state.close();
            await dispose();
          }
        });
      }
    }
  };
}
