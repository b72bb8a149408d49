import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type Database, type Kysely, migrateToLatest, openDatabase } from '@ipvoice/db';
import pg from 'pg';

type Open = () => Promise<Kysely<Database>>;

/**
 * SQLite in memory per test, and PostgreSQL with one database per test file
 * (ipvoice_test_<random>, dropped after) and one schema per test inside it.
 */
export function testDialects(): Array<{ name: string; open: Open }> {
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
  const urlFor = (schema: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    if (schema !== '') url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };
  let created: Promise<void> | undefined;
  test.after.always(async () => {
    if (created !== undefined)
      await created.then(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });
  return [
    {
      name: 'sqlite',
      open: async () => {
        const db = openDatabase('sqlite::memory:');
        await migrateToLatest(db);
        return db;
      },
    },
    {
      name: 'postgres',
      open: async () => {
        created ??= admin(`CREATE DATABASE ${database}`);
        await created;
        const schema = `t_${randomBytes(6).toString('hex')}`;
        await admin(`CREATE SCHEMA ${schema}`, urlFor(''));
        const db = openDatabase(urlFor(schema));
        await migrateToLatest(db);
        return db;
      },
    },
  ];
}
