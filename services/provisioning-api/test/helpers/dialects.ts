// A freshly migrated database per test, on SQLite and on PostgreSQL (one database per test
// file, one schema per test), as in packages/db's own tests.
import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase, type Database, type Kysely } from '@ipvoice/db';
import pg from 'pg';

export interface Dialect {
  name: 'sqlite' | 'postgres';
  open(): Promise<Kysely<Database>>;
  teardown(): Promise<void>;
}

const randomName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export const sqlite: Dialect = {
  name: 'sqlite',
  async open() {
    const db = openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    return db;
  },
  async teardown() {},
};

export function postgres(): Dialect {
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = randomName('ipvoice_api_test');
  let created: Promise<void> | undefined;
  const admin = async (statement: string, url = adminUrl) => {
    const client = new pg.Client({ connectionString: url });
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
      await admin(`CREATE SCHEMA ${schema}`, urlFor('public'));
      const db = openDatabase(urlFor(schema));
      await migrateToLatest(db);
      return db;
    },
    async teardown() {
      if (created === undefined) return;
      await created;
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}
