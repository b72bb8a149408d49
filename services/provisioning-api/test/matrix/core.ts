// Requests of the routes the API started with: authentication, numbers and forwarding,
// accounts.
import {
  OPERATOR,
  PASSWORD,
  loginOf,
  numbers,
  onAccount,
  onNumber,
  type Requests,
} from './common.ts';
import { createApiToken } from '@ipvoice/db';
import { randomBytes } from 'node:crypto';
import type { Harness } from '../helpers/harness.ts';

/** A token of the account `login`, made directly in the database. */
async function tokenOf(h: Harness, login: string): Promise<number> {
  const account = await h.account(login);
  const row = await createApiToken(
    h.db,
    { accountId: account.id, name: 'matrix', tokenHash: randomBytes(16).toString('hex') },
    new Date(h.clock.now()),
  );
  return row.id;
}

const forwarding = {
  enabled: true,
  unconditional: true,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: 'slot1',
  slots: ['0355556666', null, null, null, null],
};

let created = 0;
export const coreRequests: Requests = {
  'POST /auth/login': async (_h, role) => ({
    inScope: {
      url: '/auth/login',
      payload: {
        login: loginOf[role],
        password: role === 'operator' ? OPERATOR.password : PASSWORD,
      },
    },
  }),
  'POST /auth/second-factor': async () => ({
    inScope: { url: '/auth/second-factor', payload: { code: '123456' } },
  }),
  'POST /auth/logout': async () => ({ inScope: { url: '/auth/logout' } }),
  'GET /auth/me': async () => ({ inScope: { url: '/auth/me' } }),
  'POST /auth/password': async (_h, role) => ({
    inScope: {
      url: '/auth/password',
      payload: {
        currentPassword: role === 'operator' ? OPERATOR.password : PASSWORD,
        newPassword: 'another123',
      },
    },
  }),
  'POST /auth/tokens': async () => ({ inScope: { url: '/auth/tokens', payload: { name: 'x' } } }),
  'GET /auth/tokens': async () => ({ inScope: { url: '/auth/tokens' } }),
  // Another account's token is not this account's to revoke: 404, as for none at all.
  'DELETE /auth/tokens/:tokenId': async (h, role) => {
    const mine = await tokenOf(h, loginOf[role]);
    const other = await tokenOf(h, role === 'user' ? 'sa' : 'user');
    return {
      inScope: { url: `/auth/tokens/${mine}` },
      outOfScope: { url: `/auth/tokens/${other}` },
    };
  },
  'GET /auth/second-factor/totp-secret': async () => ({
    inScope: { url: '/auth/second-factor/totp-secret' },
  }),
  'PUT /auth/second-factor': async (_h, role) => ({
    inScope: {
      url: '/auth/second-factor',
      payload: { method: 'none', password: role === 'operator' ? OPERATOR.password : PASSWORD },
    },
  }),
  'GET /numbers/:number': onNumber(''),
  'GET /numbers/:number/forwarding': onNumber('/forwarding'),
  'PUT /numbers/:number/forwarding': onNumber('/forwarding', forwarding),
  'GET /numbers/:number/history': onNumber('/history'),
  // The list has no target: what lies outside scope is simply not in it (accounts.test.ts).
  'GET /accounts': async () => ({ inScope: { url: '/accounts' } }),
  'POST /accounts': async (h, role) => {
    const { inside, outside } = numbers(h, role);
    const body = (number: string) => {
      created += 1;
      return { login: `new${created}`, password: 'abcd1234', role: 'user', number };
    };
    return {
      inScope: { url: '/accounts', payload: body(inside) },
      ...(outside ? { outOfScope: { url: '/accounts', payload: body(outside) } } : {}),
    };
  },
  'DELETE /accounts/:id': onAccount(''),
  'POST /accounts/:id/unlock': onAccount('/unlock'),
};
