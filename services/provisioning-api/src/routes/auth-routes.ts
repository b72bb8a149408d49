// SPEC §4 login: passwords, 3 failures lock for 15 minutes, optional second factor (TOTP or
// an e-mailed code), sessions ending after 30 idle minutes, API tokens for machines.
import {
  clearLoginFailures,
  createApiToken,
  createSession,
  deleteAccountSessions,
  deleteApiToken,
  deleteLoginCode,
  deleteSession,
  findAccountByLogin,
  findLoginCode,
  listApiTokens,
  putLoginCode,
  recordFailedLogin,
  setAccountPassword,
  setSecondFactor,
  touchSession,
  type ScopedAccount,
} from '@ipvoice/db';
import { validatePassword } from '@ipvoice/features';
import { queueMail } from '@ipvoice/notifier';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import { z } from 'zod';
import { ApiError, invalid, notFound, unauthorized } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { LOGIN_CODE_TTL_MS, loginCodeMail } from '../auth/login-code-mail.ts';
import { SESSION_COOKIE } from '../auth/principal.ts';
import {
  hashPassword,
  loginCodeHash,
  randomLoginCode,
  randomToken,
  tokenHash,
  verifyPassword,
} from '../auth/secrets.ts';
import { defineRoute } from '../route.ts';
import { accountView } from './views.ts';

/** SPEC §4: 3 consecutive failures lock the account for 15 minutes. */
export const lockPolicy = { maxFailures: 3, lockMs: 15 * 60_000 };

const everyone = { group_admin: true, site_admin: true, user: true } as const;

// Verified when the login is unknown, so an unknown login costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

function lockedError(until: string | Date): ApiError {
  const at = typeof until === 'string' ? until : until.toISOString();
  return new ApiError(
    423,
    'locked',
    `the account is locked until ${at} after 3 failed logins; wait, or ask an administrator to unlock it`,
  );
}

/** A failed password or code: counted, and the third in a row locks the account. */
async function failed(deps: ApiDeps, account: ScopedAccount, now: Date, message: string) {
  const lockedUntil = await recordFailedLogin(deps.db, account.id, now, lockPolicy);
  if (lockedUntil !== undefined) {
    await deleteAccountSessions(deps.db, account.id);
    return lockedError(lockedUntil);
  }
  return unauthorized(message);
}

function isLocked(account: ScopedAccount, now: Date): boolean {
  return account.locked_until !== null && Date.parse(account.locked_until) > now.getTime();
}

/** RFC 6238 TOTP at `now`, one 30-second step either way for clocks that drift. */
async function totpValid(secret: string, code: string, now: Date): Promise<boolean> {
  const result = await verifyTotp({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
  });
  return result.valid;
}

const login = defineRoute({
  method: 'POST',
  url: '/auth/login',
  summary: 'Log in with login and password; sets the session cookie',
  tags: ['auth'],
  access: { resource: 'public' },
  schema: {
    body: z.object({ login: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
  },
  async handler({ deps, body, now, reply }) {
    const account = await findAccountByLogin(deps.db, body.login);
    if (account === undefined) {
      dummyHash ??= hashPassword('not a password 0');
      await verifyPassword(await dummyHash, body.password);
      throw unauthorized('wrong login or password');
    }
    // A locked account is refused even with the right password.
    if (isLocked(account, now)) throw lockedError(account.locked_until ?? '');
    if (!(await verifyPassword(account.password_hash, body.password))) {
      throw await failed(deps, account, now, 'wrong login or password');
    }
    await clearLoginFailures(deps.db, account.id, now);
    const pending = account.second_factor !== 'none';
    const token = randomToken();
    await createSession(
      deps.db,
      { id: tokenHash(token), accountId: account.id, secondFactorPending: pending },
      now,
    );
    if (account.second_factor === 'mail' && account.email !== null) {
      const code = randomLoginCode();
      await deps.db.transaction().execute(async (trx) => {
        await putLoginCode(trx, {
          accountId: account.id,
          codeHash: loginCodeHash(account.id, code),
          expiresAt: new Date(now.getTime() + LOGIN_CODE_TTL_MS),
        });
        await queueMail(
          trx,
          loginCodeMail(account.email ?? '', {
            code,
            login: account.login,
            language: deps.config.mail.language,
          }),
          now,
        );
      });
    }
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      secure: deps.config.api.secureCookie,
      sameSite: 'strict',
    });
    return {
      account: accountView(account),
      secondFactorPending: pending ? account.second_factor : null,
    };
  },
});

const secondFactor = defineRoute({
  method: 'POST',
  url: '/auth/second-factor',
  summary: 'Give the TOTP or e-mailed code that completes a login',
  tags: ['auth'],
  access: { resource: 'pending' },
  schema: { body: z.object({ code: z.string().regex(/^[0-9]{6}$/, 'a code is 6 digits') }) },
  async handler({ deps, principal, body, now }) {
    if (principal?.sessionId === undefined) throw unauthorized('log in first');
    const account = principal.account;
    let ok = false;
    if (account.second_factor === 'totp' && account.totp_secret !== null) {
      ok = await totpValid(account.totp_secret, body.code, now);
    } else if (account.second_factor === 'mail') {
      const stored = await findLoginCode(deps.db, account.id);
      ok =
        stored !== undefined &&
        Date.parse(stored.expires_at) > now.getTime() &&
        stored.code_hash === loginCodeHash(account.id, body.code);
    } else {
      ok = true;
    }
    if (!ok) throw await failed(deps, account, now, 'wrong or expired code');
    await deleteLoginCode(deps.db, account.id);
    await clearLoginFailures(deps.db, account.id, now);
    await touchSession(deps.db, principal.sessionId, now, true);
    return { account: accountView(account) };
  },
});

const logout = defineRoute({
  method: 'POST',
  url: '/auth/logout',
  summary: 'End the session',
  tags: ['auth'],
  access: { resource: 'pending' },
  status: 204,
  async handler({ deps, principal, reply }) {
    if (principal?.sessionId !== undefined) await deleteSession(deps.db, principal.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return undefined;
  },
});

const me = defineRoute({
  method: 'GET',
  url: '/auth/me',
  summary: 'The account this request acts as',
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  async handler({ principal }) {
    return { account: principal ? accountView(principal.account) : null, via: principal?.via };
  },
});

const changePassword = defineRoute({
  method: 'POST',
  url: '/auth/password',
  summary: "Change the account's own password (SPEC §4 rules); ends its other sessions",
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  status: 204,
  schema: {
    body: z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) }),
  },
  async handler({ deps, principal, body, now }) {
    if (principal === undefined) throw unauthorized('log in first');
    const account = principal.account;
    if (!(await verifyPassword(account.password_hash, body.currentPassword))) {
      throw invalid('currentPassword', 'the current password is wrong');
    }
    const check = validatePassword(body.newPassword);
    if (!check.ok) throw invalid('newPassword', check.message);
    await setAccountPassword(deps.db, account.id, await hashPassword(body.newPassword), now);
    await deleteAccountSessions(deps.db, account.id, principal.sessionId);
    return undefined;
  },
});

const createToken = defineRoute({
  method: 'POST',
  url: '/auth/tokens',
  summary: 'Make an API token for a machine client; the token is shown only in this answer',
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  status: 201,
  schema: { body: z.object({ name: z.string().min(1).max(100) }) },
  async handler({ deps, principal, body, now }) {
    if (principal === undefined) throw unauthorized('log in first');
    const token = `ipv_${randomToken()}`;
    const row = await createApiToken(
      deps.db,
      { accountId: principal.account.id, name: body.name, tokenHash: tokenHash(token) },
      now,
    );
    return { id: row.id, name: row.name, token, createdAt: row.created_at };
  },
});

const listTokens = defineRoute({
  method: 'GET',
  url: '/auth/tokens',
  summary: "The account's API tokens (names and dates; a token itself is shown only once)",
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  async handler({ deps, principal }) {
    if (principal === undefined) throw unauthorized('log in first');
    const tokens = await listApiTokens(deps.db, principal.account.id);
    return tokens.map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: t.created_at,
      lastUsedAt: t.last_used_at,
    }));
  },
});

const revokeToken = defineRoute({
  method: 'DELETE',
  url: '/auth/tokens/:tokenId',
  summary: 'Revoke one of the account’s API tokens',
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  status: 204,
  schema: { params: z.object({ tokenId: z.coerce.number().int().positive() }) },
  async handler({ deps, principal, params }) {
    if (principal === undefined) throw unauthorized('log in first');
    if (!(await deleteApiToken(deps.db, principal.account.id, params.tokenId)))
      throw notFound(`token ${params.tokenId} not found`);
    return undefined;
  },
});

const newTotpSecret = defineRoute({
  method: 'GET',
  url: '/auth/second-factor/totp-secret',
  summary:
    'A fresh TOTP secret and its otpauth URI for an authenticator app; nothing is stored until PUT /auth/second-factor confirms it with a code',
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  async handler({ principal }) {
    if (principal === undefined) throw unauthorized('log in first');
    const secret = generateSecret();
    const uri = generateURI({ issuer: 'IP Voice', label: principal.account.login, secret });
    return { secret, uri };
  },
});

const setSecondFactorRoute = defineRoute({
  method: 'PUT',
  url: '/auth/second-factor',
  summary:
    'Choose the second factor of later logins (none, TOTP confirmed by a code from the secret, or codes by e-mail); the password is asked again',
  tags: ['auth'],
  access: { resource: 'self', roles: everyone },
  status: 204,
  schema: {
    body: z.discriminatedUnion('method', [
      z.object({ method: z.literal('none'), password: z.string().max(200) }),
      z.object({
        method: z.literal('totp'),
        password: z.string().max(200),
        secret: z.string().regex(/^[A-Z2-7]{16,64}$/, 'a base32 secret from totp-secret'),
        code: z.string().regex(/^[0-9]{6}$/, 'a code is 6 digits'),
      }),
      z.object({ method: z.literal('mail'), password: z.string().max(200), email: z.email() }),
    ]),
  },
  async handler({ deps, principal, body, now }) {
    if (principal === undefined) throw unauthorized('log in first');
    const account = principal.account;
    if (!(await verifyPassword(account.password_hash, body.password)))
      throw invalid('password', 'the password is wrong');
    if (body.method === 'totp') {
      // The code proves the app holds the secret before logins depend on it.
      if (!(await totpValid(body.secret, body.code, now)))
        throw invalid('code', 'the code does not match the secret');
      await setSecondFactor(deps.db, account.id, { kind: 'totp', totpSecret: body.secret }, now);
    } else if (body.method === 'mail') {
      await setSecondFactor(deps.db, account.id, { kind: 'mail', email: body.email }, now);
    } else {
      await setSecondFactor(deps.db, account.id, { kind: 'none' }, now);
    }
    return undefined;
  },
});

export const authRoutes = [
  login,
  secondFactor,
  logout,
  me,
  changePassword,
  createToken,
  listTokens,
  revokeToken,
  newTotpSecret,
  setSecondFactorRoute,
];
