import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/database.ts';
import { migrateToLatest } from '../../src/migrate.ts';
import { openDatabase } from '../../src/open-database.ts';

/** A freshly migrated, private database for one test. */
export interface TestDatabase {
  db: Kysely<Database>;
  dispose(): Promise<void>;
}

export interface Dialect {
  name: 'sqlite' | 'postgres';
  open(): Promise<TestDatabase>;
  /** Drops whatever the dialect created for this test file. */
  teardown(): Promise<void>;
}

const randomName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export const sqlite: Dialect = {
  name: 'sqlite',
  async open() {
    const db = openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    return { db, dispose: () => db.destroy() };
  },
  async teardown() {},
};

/**
 * One database per test file (ipvoice_test_<random>), one schema per test inside it,
 * so tests stay isolated and can run concurrently.
 */
export function postgres(): Dialect {
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = randomName('ipvoice_test');
  let created: Promise<void> | undefined;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const urlFor = (search: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    url.searchParams.set('options', `-c search_path=${search}`);
    return url.toString();
  };
  return {
    name: 'postgres',
    async open() {
      created ??= admin(`CREATE DATABASE ${database}`);
      await created;
      const schema = randomName('t');
      const setup = new pg.Client({ connectionString: urlFor('public') });
      await setup.connect();
      await setup.query(`CREATE SCHEMA ${schema}`);
      await setup.end();
      const db = openDatabase(urlFor(schema));
      await migrateToLatest(db);
      return { db, dispose: () => db.destroy() };
    },
    async teardown() {
      if (created === undefined) return;
      await created;
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}
