// Databases for scheduler tests: SQLite in memory per test, and PostgreSQL with one database
// per test file (dropped after) and one schema per test, so tests stay isolated.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { migrateToLatest, openDatabase, type Database, type Kysely } from '@ipvoice/db';
import pg from 'pg';

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function openSqlite(): Promise<Kysely<Database>> {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  return db;
}

export interface PostgresSchema {
  /** Connection URL whose search_path is this test's schema. */
  url: string;
  /** A new connection pool on the schema, migrated. */
  open(): Promise<Kysely<Database>>;
}

/** Call once per test file; `schema()` makes a fresh schema for one test. */
export function postgresDatabase(): { schema(): Promise<PostgresSchema> } {
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `ipvoice_test_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string, url = adminUrl) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const urlFor = (schema: string | undefined) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    if (schema !== undefined) url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };
  let created: Promise<void> | undefined;
  test.after.always(async () => {
    if (created !== undefined) {
      await created;
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
  return {
    async schema() {
      created ??= admin(`CREATE DATABASE ${database}`);
      await created;
      const name = `t_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE SCHEMA ${name}`, urlFor(undefined));
      const url = urlFor(name);
      return {
        url,
        async open() {
          const db = openDatabase(url);
          await migrateToLatest(db);
          return db;
        },
      };
    },
  };
}
