// Who is asking: a session cookie (SPEC §4: 30 minutes idle ends it) or an API token.
import {
  deleteSession,
  findAccountById,
  findApiTokenByHash,
  findSession,
  touchApiToken,
  touchSession,
  type Executor,
} from '@ipvoice/db';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../access.ts';
import { unauthorized } from '../api-error.ts';
import { tokenHash } from './secrets.ts';

export const SESSION_COOKIE = 'ipvoice_session';
/** SPEC §4: 30 minutes without a request ends a session. */
export const SESSION_IDLE_MS = 30 * 60_000;

/**
 * The principal of a request, or 401. A session still waiting for its second factor counts
 * only where `allowPending` (the second-factor and logout routes). Each use slides the
 * session's idle expiry.
 */
export async function authenticate(
  db: Executor,
  request: FastifyRequest,
  now: Date,
  allowPending: boolean,
): Promise<Principal> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer?.[1] !== undefined) {
    const token = await findApiTokenByHash(db, tokenHash(bearer[1]));
    const account = token && (await findAccountById(db, token.account_id));
    if (token === undefined || account === undefined) {
      throw unauthorized('the API token is not valid');
    }
    await touchApiToken(db, token.id, now);
    return { account, via: 'token' };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') throw unauthorized('log in first');
  const id = tokenHash(cookie);
  const session = await findSession(db, id);
  if (session === undefined) throw unauthorized('the session has ended; log in again');
  if (now.getTime() - Date.parse(session.last_seen_at) >= SESSION_IDLE_MS) {
    await deleteSession(db, id);
    throw unauthorized('the session ended after 30 minutes without a request; log in again');
  }
  if (session.second_factor_pending === 1 && !allowPending) {
    throw unauthorized(
      'give the second factor first (POST /auth/second-factor)',
      'second_factor_required',
    );
  }
  const account = await findAccountById(db, session.account_id);
  if (account === undefined) throw unauthorized('the session has ended; log in again');
  await touchSession(db, id, now);
  return { account, via: 'session', sessionId: id };
}
