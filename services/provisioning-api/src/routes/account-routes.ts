// SPEC §4 accounts: create, delete and unlock within scope (group and site admins).
import {
  clearLoginFailures,
  createAccount,
  deleteAccount,
  findAccountById,
  findAccountByLogin,
  findNumber,
  findSiteByCode,
  findVoiceGroupByCode,
  listAccounts,
  type AccountScope,
} from '@ipvoice/db';
import { validatePassword } from '@ipvoice/features';
import { generateSecret, generateURI } from 'otplib';
import { z } from 'zod';
import { ApiError, forbidden, invalid, notFound, unauthorized } from '../api-error.ts';
import { numberInScope } from '../access.ts';
import { hashPassword } from '../auth/secrets.ts';
import { defineRoute } from '../route.ts';
import { accountView } from './views.ts';

const admins = { group_admin: true, site_admin: true, user: false } as const;
const idParams = z.object({ id: z.string() });

const list = defineRoute({
  method: 'GET',
  url: '/accounts',
  summary: 'The accounts within scope, by login',
  tags: ['accounts'],
  access: { resource: 'accounts', roles: admins },
  async handler({ deps, principal }) {
    const a = principal?.account;
    if (a === undefined) throw unauthorized('log in first');
    const within =
      a.role === 'group_admin'
        ? { voiceGroupId: a.voice_group_id ?? -1 }
        : a.role === 'site_admin'
          ? { siteId: a.site_id ?? -1 }
          : {};
    const accounts = await listAccounts(deps.db, within);
    // A site admin does not see a group admin of its group.
    return {
      accounts: accounts
        .filter((x) => a.role !== 'site_admin' || x.role === 'site_admin' || x.role === 'user')
        .map(accountView),
    };
  },
});

export const newAccountBody = z.object({
  login: z
    .string()
    .min(3)
    .max(64)
    .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
  password: z.string().max(200),
  role: z.enum(['group_admin', 'site_admin', 'user']),
  /** The voice group's code, for a group admin. */
  voiceGroup: z.string().optional(),
  /** The site's code, for a site admin. */
  site: z.string().optional(),
  /** The number, for a user. */
  number: z.string().optional(),
  email: z.email().optional(),
  secondFactor: z.enum(['none', 'totp', 'mail']).optional(),
});

const create = defineRoute({
  method: 'POST',
  url: '/accounts',
  summary:
    'Create an account within scope (a site admin creates only site admins and users of its site); a TOTP secret is shown only in this answer',
  tags: ['accounts'],
  access: { resource: 'accounts', roles: admins },
  status: 201,
  schema: { body: newAccountBody },
  async handler({ deps, principal, body, now }) {
    const me = principal?.account;
    if (me === undefined) throw unauthorized('log in first');
    let scope: AccountScope;
    if (body.role === 'group_admin') {
      if (body.voiceGroup === undefined)
        throw invalid('voiceGroup', 'a group_admin account needs voiceGroup');
      if (me.role === 'site_admin')
        throw forbidden(
          'a site administrator creates only site administrators and users of its site',
        );
      const group = await findVoiceGroupByCode(deps.db, body.voiceGroup);
      if (group === undefined || (me.role === 'group_admin' && group.id !== me.voice_group_id))
        throw notFound(`voice group ${body.voiceGroup} not found`);
      scope = { role: 'group_admin', voiceGroupId: group.id };
    } else if (body.role === 'site_admin') {
      if (body.site === undefined) throw invalid('site', 'a site_admin account needs site');
      const site = await findSiteByCode(deps.db, body.site);
      const inScope =
        site !== undefined &&
        (me.role === 'operator' ||
          (me.role === 'group_admin' && site.voice_group_id === me.voice_group_id) ||
          (me.role === 'site_admin' && site.id === me.site_id));
      if (site === undefined || !inScope) throw notFound(`site ${body.site} not found`);
      scope = { role: 'site_admin', siteId: site.id };
    } else {
      if (body.number === undefined) throw invalid('number', 'a user account needs number');
      const n = await findNumber(deps.db, body.number);
      if (n === undefined || !numberInScope(me, n))
        throw notFound(`number ${body.number} not found`);
      scope = { role: 'user', numberId: n.id };
    }
    const check = validatePassword(body.password);
    if (!check.ok) throw invalid('password', check.message);
    const secondFactor = body.secondFactor ?? 'none';
    if (secondFactor === 'mail' && body.email === undefined)
      throw invalid('email', 'an e-mailed login code needs email');
    if ((await findAccountByLogin(deps.db, body.login)) !== undefined)
      throw new ApiError(409, 'conflict', `the login ${body.login} is taken`, 'login');
    const totpSecret = secondFactor === 'totp' ? generateSecret() : null;
    const row = await createAccount(
      deps.db,
      {
        login: body.login,
        passwordHash: await hashPassword(body.password),
        scope,
        email: body.email ?? null,
        secondFactor,
        totpSecret,
      },
      now,
    );
    const created = await findAccountById(deps.db, row.id);
    if (created === undefined) throw new Error('the new account vanished');
    return {
      account: accountView(created),
      ...(totpSecret === null
        ? {}
        : {
            totpSecret,
            totpUri: generateURI({ issuer: 'IP Voice', label: body.login, secret: totpSecret }),
          }),
    };
  },
});

const remove = defineRoute({
  method: 'DELETE',
  url: '/accounts/:id',
  summary: 'Delete an account within scope (with its sessions and API tokens)',
  tags: ['accounts'],
  access: { resource: 'account', roles: admins },
  status: 204,
  schema: { params: idParams },
  async handler({ deps, target }) {
    if (target.account !== undefined) await deleteAccount(deps.db, target.account.id);
    return undefined;
  },
});

const unlock = defineRoute({
  method: 'POST',
  url: '/accounts/:id/unlock',
  summary: 'Unlock an account locked after failed logins',
  tags: ['accounts'],
  access: { resource: 'account', roles: admins },
  status: 204,
  schema: { params: idParams },
  async handler({ deps, target, now }) {
    if (target.account !== undefined) await clearLoginFailures(deps.db, target.account.id, now);
    return undefined;
  },
});

export const accountRoutes = [list, create, remove, unlock];
