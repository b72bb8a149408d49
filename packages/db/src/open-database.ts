import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

/**
 * Opens `sqlite:<path>`, `sqlite::memory:` or `postgres://…` / `postgresql://…`.
 * SQLite runs in WAL mode (readers do not block the writer) with synchronous=NORMAL and
 * foreign keys on, which SQLite leaves off by default.
 */
export interface OpenDatabaseOptions {
  /** Told when an idle pooled PostgreSQL connection fails (the server restarted, or an
   * administrator ended it); the pool drops it and the next query connects anew. */
  onIdleError?: (err: Error) => void;
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Kysely<Database> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.length === 0) throw new DatabaseUrlError(`no file in database URL "${url}"`);
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    // better-sqlite3 runs on the event loop, so an fsync per commit (the default FULL) stalls
    // every call in flight; in WAL mode NORMAL fsyncs only at checkpoints and stays
    // consistent, losing at most the last commits on a power cut (sqlite.org/pragma.html).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url });
    // node-postgres emits 'error' on the pool for a connection that dies while idle; without
    // a listener that event would end the whole process (a database restart must not).
    pool.on('error', (err) => options.onIdleError?.(err));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  throw new DatabaseUrlError(
    `unsupported database URL "${url}" (use sqlite:<path> or postgres://…)`,
  );
}

/** Kysely's SQLite driver prepares every query anew; preparing costs more than running a
 * point lookup, and the hot queries (credentials on every REGISTER) repeat the same SQL
 * text, so prepared statements are kept by text. Kysely runs one query at a time on its
 * single connection, so a cached statement is never used twice at once. */
function withStatementCache(
  sqlite: SQLite.Database,
  maxEntries = 500,
): SqliteDialectConfig['database'] {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        // Oldest first out: Map keeps insertion order.
        if (statements.size >= maxEntries)
          statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
