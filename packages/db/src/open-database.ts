import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

/**
 * Opens `sqlite:<path>`, `sqlite::memory:` or `postgres://…` / `postgresql://…`.
 * SQLite runs in WAL mode (readers do not block the writer) with foreign keys on,
 * which SQLite leaves off by default.
 */
export function openDatabase(url: string): Kysely<Database> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.length === 0) throw new DatabaseUrlError(`no file in database URL "${url}"`);
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
    });
  }
  throw new DatabaseUrlError(
    `unsupported database URL "${url}" (use sqlite:<path> or postgres://…)`,
  );
}
