import { CompiledQuery } from 'kysely';
import { type Executor, type Upserted, sameValues } from '../executor.ts';
import type { SipCredential } from '../tables/sip-credential.table.ts';
import { toTimestamp } from '../timestamp.ts';

export interface SipCredentialInput {
  number_id: number;
  username: string;
  password: string;
}

/** What the registrar needs to check a digest and place the binding. */
export interface CredentialFacts {
  username: string;
  password: string;
  number: string;
  numberId: number;
  accessLineId: number;
  siteId: number;
  voiceGroupId: number;
}

function credentialQuery(db: Executor, username: string) {
  return db
    .selectFrom('sip_credentials as c')
    .innerJoin('numbers as n', 'n.id', 'c.number_id')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .innerJoin('sites as s', 's.id', 'a.site_id')
    .select([
      'c.username',
      'c.password',
      'n.number',
      'n.id as numberId',
      'a.id as accessLineId',
      's.id as siteId',
      's.voice_group_id as voiceGroupId',
    ])
    .where('c.username', '=', username);
}

/** The query compiled once per database: every REGISTER runs it, and building and
 * compiling it each time cost more than the lookup itself. */
const compiledCredentialQuery = new WeakMap<Executor, string>();

export async function findCredentialByUsername(
  db: Executor,
  username: string,
): Promise<CredentialFacts | undefined> {
  let sql = compiledCredentialQuery.get(db);
  if (sql === undefined) {
    sql = credentialQuery(db, '').compile().sql;
    compiledCredentialQuery.set(db, sql);
  }
  const result = await db.executeQuery<CredentialFacts>(CompiledQuery.raw(sql, [username]));
  return result.rows[0];
}

export async function findCredentialByNumberId(
  db: Executor,
  numberId: number,
): Promise<SipCredential | undefined> {
  return db
    .selectFrom('sip_credentials')
    .selectAll()
    .where('number_id', '=', numberId)
    .executeTakeFirst();
}

/** One credential per base number: keyed by the number, the SIP-ID may change. */
export async function upsertSipCredential(
  db: Executor,
  input: SipCredentialInput,
  now: Date,
): Promise<Upserted<SipCredential>> {
  const current = await findCredentialByNumberId(db, input.number_id);
  if (current === undefined) {
    const row = await db
      .insertInto('sip_credentials')
      .values({
        ...input,
        number_kind: 'base',
        created_at: toTimestamp(now),
        updated_at: toTimestamp(now),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, outcome: 'created' };
  }
  if (sameValues(current, input)) return { row: current, outcome: 'unchanged' };
  const row = await db
    .updateTable('sip_credentials')
    .set({ ...input, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, outcome: 'updated' };
}
