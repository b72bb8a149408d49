// A PostgreSQL server that ends an idle pooled connection (a restart, an administrator) must
// not take the process down; the next query connects anew.
import test from 'ava';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../src/open-database.ts';

const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

test('an idle connection ended by the server is reported, and the next query still works', async (t) => {
  const seen: Error[] = [];
  let reported!: () => void;
  const idleErrorSeen = new Promise<void>((resolve) => (reported = resolve));
  const db = openDatabase(adminUrl, {
    onIdleError: (err) => {
      seen.push(err);
      reported();
    },
  });
  t.teardown(() => db.destroy());
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  const pid = rows[0]?.pid;
  if (pid === undefined) return t.fail('no backend pid');

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('select pg_terminate_backend($1)', [pid]);
  await admin.end();

  await idleErrorSeen;
  t.is(seen.length, 1);
  const again = await sql<{ one: number }>`select 1 as one`.execute(db);
  t.is(again.rows[0]?.one, 1);
});
