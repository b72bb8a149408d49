import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import type { Database, Kysely } from '@ipvoice/db';
import { MemoryBackend, MemoryStateStore, RedisStateStore, type StateStore } from '@ipvoice/state';
import { type Dialect, postgres, sqlite } from '../../../db/test/helpers/dialects.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Setup {
  db: Kysely<Database>;
  /** A new state store on the test's backend: what another API or feature server would share. */
  openState(): StateStore;
}

type Body = (t: ExecutionContext, setup: Setup) => Promise<void>;

/**
 * Registers each test once per database dialect and state backend ("sqlite/memory: …",
 * "postgres/redis: …"), on a freshly migrated database and an isolated backend.
 */
export function eachSetup(): (title: string, body: Body) => void {
  const dialects: Dialect[] = [sqlite, postgres()];
  let admin: Redis | undefined;
  test.after.always(async () => {
    for (const dialect of dialects) await dialect.teardown();
    await admin?.quit();
  });
  return (title, body) => {
    for (const dialect of dialects) {
      for (const backend of ['memory', 'redis'] as const) {
        test(`${dialect.name}/${backend}: ${title}`, async (t) => {
          const { db, dispose } = await dialect.open();
          const opened: StateStore[] = [];
          const memory = new MemoryBackend();
          const keyPrefix = `test:${randomUUID()}:`;
          const openState = () => {
            const s =
              backend === 'memory'
                ? new MemoryStateStore({ backend: memory })
                : new RedisStateStore({ url: redisUrl, keyPrefix });
            opened.push(s);
            return s;
          };
          try {
            await body(t, { db, openState });
          } finally {
            await Promise.all(opened.map((s) => s.close()));
            if (backend === 'redis') {
              admin ??= new Redis(redisUrl);
              const keys = await admin.keys(`${keyPrefix}*`);
              if (keys.length > 0) await admin.del(...keys);
            }
            await dispose();
          }
        });
      }
    }
  };
}
