import test, { type ExecutionContext } from 'ava';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/database.ts';
import { type Dialect, postgres, sqlite } from './dialects.ts';

type Body = (t: ExecutionContext, db: Kysely<Database>) => Promise<void>;

/**
 * Registers each test once per dialect, titled "sqlite: …" and "postgres: …",
 * each on its own freshly migrated database.
 */
export function eachDialect(): (title: string, body: Body) => void {
  const dialects: Dialect[] = [sqlite, postgres()];
  test.after.always(async () => {
    for (const dialect of dialects) await dialect.teardown();
  });
  return (title, body) => {
    for (const dialect of dialects) {
      test(`${dialect.name}: ${title}`, async (t) => {
        const { db, dispose } = await dialect.open();
        try {
          await body(t, db);
        } finally {
          await dispose();
        }
      });
    }
  };
}
