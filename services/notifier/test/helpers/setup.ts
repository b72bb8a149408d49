// Databases, configuration and a recording logger for notifier tests.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Config } from '@ipvoice/config';
import { migrateToLatest, openDatabase, type Database, type Kysely } from '@ipvoice/db';
import type { Logger } from '@ipvoice/sip';
import pg from 'pg';

export async function openSqlite(): Promise<Kysely<Database>> {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  return db;
}

/** Call once per test file; each `schema()` is a fresh schema in a database dropped after. */
export function postgresDatabase(): { schema(): Promise<{ open(): Promise<Kysely<Database>> }> } {
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
  const urlFor = (schema?: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    if (schema !== undefined) url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };
  let created: Promise<void> | undefined;
  test.after.always(async () => {
    if (created === undefined) return;
    await created;
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  return {
    async schema() {
      created ??= admin(`CREATE DATABASE ${database}`);
      await created;
      const name = `t_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE SCHEMA ${name}`, urlFor());
      let migrated: Promise<unknown> | undefined;
      return {
        async open() {
          const db = openDatabase(urlFor(name));
          migrated ??= migrateToLatest(db);
          await migrated;
          return db;
        },
      };
    },
  };
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `ipvoice-${prefix}-`));

export function mailConfig(mail: Partial<Config['mail']> = {}): { mail: Config['mail'] } {
  return {
    mail: {
      transport: 'smtp',
      from: 'IP Voice <noreply@ipvoice.local>',
      outboxDir: join(tempDir('outbox'), 'outbox'),
      smtp: { host: '127.0.0.1', port: 25, secure: false },
      language: 'ja',
      maxAttempts: 8,
      retryBaseSeconds: 30,
      ...mail,
    },
  };
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
