import type { Executor } from '../executor.ts';
import type { Account, AccountRole, SecondFactor } from '../tables/account.table.ts';
import type { ApiToken } from '../tables/api-token.table.ts';
import type { LoginCode } from '../tables/login-code.table.ts';
import type { Session } from '../tables/session.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** What an account may reach (SPEC §4); only the field its role needs is set. */
export type AccountScope =
  | { role: 'operator' }
  | { role: 'group_admin'; voiceGroupId: number }
  | { role: 'site_admin'; siteId: number }
  | { role: 'user'; numberId: number };

export interface NewAccountInput {
  login: string;
  passwordHash: string;
  scope: AccountScope;
  email?: string | null;
  secondFactor?: SecondFactor;
  totpSecret?: string | null;
}

/** An account with the voice group and site its scope lies in (null for an operator; site
 * null for a group admin), so scope checks need no second query. */
export type ScopedAccount = Account & {
  scopeVoiceGroupId: number | null;
  scopeSiteId: number | null;
};

function scopeColumns(scope: AccountScope) {
  return {
    role: scope.role as AccountRole,
    voice_group_id: scope.role === 'group_admin' ? scope.voiceGroupId : null,
    site_id: scope.role === 'site_admin' ? scope.siteId : null,
    number_id: scope.role === 'user' ? scope.numberId : null,
  };
}

export async function createAccount(
  db: Executor,
  input: NewAccountInput,
  now: Date,
): Promise<Account> {
  const at = toTimestamp(now);
  return db
    .insertInto('accounts')
    .values({
      login: input.login,
      password_hash: input.passwordHash,
      ...scopeColumns(input.scope),
      email: input.email ?? null,
      totp_secret: input.totpSecret ?? null,
      second_factor: input.secondFactor ?? 'none',
      failed_logins: 0,
      locked_until: null,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function scopedAccounts(db: Executor) {
  return db
    .selectFrom('accounts as a')
    .leftJoin('numbers as n', 'n.id', 'a.number_id')
    .leftJoin('access_lines as l', 'l.id', 'n.access_line_id')
    .leftJoin('sites as s', (join) =>
      join.on((eb) => eb('s.id', '=', eb.fn.coalesce('a.site_id', 'l.site_id'))),
    )
    .selectAll('a')
    .select((eb) => [
      eb.fn.coalesce('a.voice_group_id', 's.voice_group_id').as('scopeVoiceGroupId'),
      eb.fn.coalesce('a.site_id', 'l.site_id').as('scopeSiteId'),
    ]);
}

export async function findAccountById(
  db: Executor,
  id: number,
): Promise<ScopedAccount | undefined> {
  return scopedAccounts(db).where('a.id', '=', id).executeTakeFirst();
}

export async function findAccountByLogin(
  db: Executor,
  login: string,
): Promise<ScopedAccount | undefined> {
  return scopedAccounts(db).where('a.login', '=', login).executeTakeFirst();
}

/** Accounts whose scope lies within the given voice group or site (all when neither), by
 * login. */
export async function listAccounts(
  db: Executor,
  within: { voiceGroupId?: number; siteId?: number } = {},
): Promise<ScopedAccount[]> {
  let q = scopedAccounts(db);
  if (within.voiceGroupId !== undefined)
    q = q.where((eb) =>
      eb(eb.fn.coalesce('a.voice_group_id', 's.voice_group_id'), '=', within.voiceGroupId!),
    );
  if (within.siteId !== undefined)
    q = q.where((eb) => eb(eb.fn.coalesce('a.site_id', 'l.site_id'), '=', within.siteId!));
  return q.orderBy('a.login').execute();
}

export async function deleteAccount(db: Executor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Counts a failed login. At `maxFailures` in a row the account is locked until
 * `now + lockMs` and the count starts again. Returns the lock's end when this failure set it.
 */
export async function recordFailedLogin(
  db: Executor,
  id: number,
  now: Date,
  policy: { maxFailures: number; lockMs: number },
): Promise<Date | undefined> {
  const row = await db
    .updateTable('accounts')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: toTimestamp(now) }))
    .where('id', '=', id)
    .returning('failed_logins')
    .executeTakeFirst();
  if (row === undefined || row.failed_logins < policy.maxFailures) return undefined;
  const until = new Date(now.getTime() + policy.lockMs);
  await db
    .updateTable('accounts')
    .set({ failed_logins: 0, locked_until: toTimestamp(until), updated_at: toTimestamp(now) })
    .where('id', '=', id)
    .execute();
  return until;
}

/** A successful login, or an administrator's unlock: no failures, no lock. */
export async function clearLoginFailures(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ failed_logins: 0, locked_until: null, updated_at: toTimestamp(now) })
    .where('id', '=', id)
    .execute();
}

export async function setAccountPassword(
  db: Executor,
  id: number,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: passwordHash, updated_at: toTimestamp(now) })
    .where('id', '=', id)
    .execute();
}

// Sessions ---------------------------------------------------------------------------------

export async function createSession(
  db: Executor,
  session: { id: string; accountId: number; secondFactorPending: boolean },
  now: Date,
): Promise<void> {
  const at = toTimestamp(now);
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      account_id: session.accountId,
      created_at: at,
      last_seen_at: at,
      second_factor_pending: session.secondFactorPending ? 1 : 0,
    })
    .execute();
}

export async function findSession(db: Executor, id: string): Promise<Session | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Slides the idle expiry; `secondFactorDone` clears the pending flag as well. */
export async function touchSession(
  db: Executor,
  id: string,
  now: Date,
  secondFactorDone = false,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({
      last_seen_at: toTimestamp(now),
      ...(secondFactorDone ? { second_factor_pending: 0 as const } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every session of an account (password change elsewhere, deletion). */
export async function deleteAccountSessions(
  db: Executor,
  accountId: number,
  except?: string,
): Promise<void> {
  let q = db.deleteFrom('sessions').where('account_id', '=', accountId);
  if (except !== undefined) q = q.where('id', '<>', except);
  await q.execute();
}

// API tokens -------------------------------------------------------------------------------

export async function createApiToken(
  db: Executor,
  token: { accountId: number; name: string; tokenHash: string },
  now: Date,
): Promise<ApiToken> {
  return db
    .insertInto('api_tokens')
    .values({
      account_id: token.accountId,
      name: token.name,
      token_hash: token.tokenHash,
      created_at: toTimestamp(now),
      last_used_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiTokenByHash(
  db: Executor,
  tokenHash: string,
): Promise<ApiToken | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** The account's own tokens, newest first (never the secret: only its hash is stored). */
export async function listApiTokens(db: Executor, accountId: number): Promise<ApiToken[]> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one of the account's tokens; false when it has no such token. */
export async function deleteApiToken(
  db: Executor,
  accountId: number,
  id: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('api_tokens')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Sets how the account proves itself after its password (SPEC §4 optional second factor). */
export async function setSecondFactor(
  db: Executor,
  id: number,
  factor: { kind: 'none' } | { kind: 'totp'; totpSecret: string } | { kind: 'mail'; email: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({
      second_factor: factor.kind,
      totp_secret: factor.kind === 'totp' ? factor.totpSecret : null,
      ...(factor.kind === 'mail' ? { email: factor.email } : {}),
      updated_at: toTimestamp(now),
    })
    .where('id', '=', id)
    .execute();
}

export async function touchApiToken(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: toTimestamp(now) })
    .where('id', '=', id)
    .execute();
}

// Login codes ------------------------------------------------------------------------------

/** Stores the account's one live login code, replacing any earlier one. */
export async function putLoginCode(
  db: Executor,
  code: { accountId: number; codeHash: string; expiresAt: Date },
): Promise<void> {
  await db.deleteFrom('login_codes').where('account_id', '=', code.accountId).execute();
  await db
    .insertInto('login_codes')
    .values({
      account_id: code.accountId,
      code_hash: code.codeHash,
      expires_at: toTimestamp(code.expiresAt),
    })
    .execute();
}

export async function findLoginCode(
  db: Executor,
  accountId: number,
): Promise<LoginCode | undefined> {
  return db
    .selectFrom('login_codes')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export async function deleteLoginCode(db: Executor, accountId: number): Promise<void> {
  await db.deleteFrom('login_codes').where('account_id', '=', accountId).execute();
}
