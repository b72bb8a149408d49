// Building blocks of the authorization matrix (authorization-matrix.test.ts): who logs in as
// each role, and for each role a target inside its scope and one outside it (see the tenant in
// helpers/harness.ts). Each resource's requests live in a module of their own beside this one.
import { createAccount, type AccountScope } from '@ipvoice/db';
import type { InjectOptions } from 'fastify';
import type { Role } from '../../src/access.ts';
import { hashPassword } from '../../src/auth/secrets.ts';
import { OPERATOR, PASSWORD, start, type Harness } from '../helpers/harness.ts';

export const loginOf: Record<Role, string> = {
  operator: OPERATOR.login,
  group_admin: 'ga',
  site_admin: 'sa',
  user: 'user',
};

export type Req = Omit<InjectOptions, 'method'>;
/** Requests for one role: within its scope, and outside it (absent where nothing lies outside
 * — the operator's scope is everything; routes acting on the caller itself). */
export type Build = (h: Harness, role: Role) => Promise<{ inScope: Req; outOfScope?: Req }>;

/** A number in each role's scope, and one outside it (see the tenant in harness.ts). */
export function numbers(h: Harness, role: Role): { inside: string; outside?: string } {
  const t = h.tenant;
  switch (role) {
    case 'operator':
      return { inside: t.n4.number };
    case 'group_admin':
      return { inside: t.n3.number, outside: t.n4.number };
    case 'site_admin':
      return { inside: t.n2.number, outside: t.n3.number };
    case 'user':
      return { inside: t.n1.number, outside: t.n2.number };
  }
}

let made = 0;
export async function accountAt(h: Harness, scope: AccountScope): Promise<number> {
  made += 1;
  const a = await createAccount(
    h.db,
    { login: `target${made}`, passwordHash: await hashPassword(PASSWORD), scope },
    start,
  );
  return a.id;
}

/** An account each role may manage, and one it may not. */
export async function accounts(
  h: Harness,
  role: Role,
): Promise<{ inside: number; outside?: number }> {
  const t = h.tenant;
  switch (role) {
    case 'operator':
      return { inside: await accountAt(h, { role: 'group_admin', voiceGroupId: t.vg2.id }) };
    case 'group_admin':
      return {
        inside: await accountAt(h, { role: 'site_admin', siteId: t.s2.id }),
        outside: await accountAt(h, { role: 'site_admin', siteId: t.s3.id }),
      };
    case 'site_admin':
      return {
        inside: await accountAt(h, { role: 'user', numberId: t.n2.id }),
        outside: await accountAt(h, { role: 'site_admin', siteId: t.s2.id }),
      };
    case 'user':
      return {
        inside: await accountAt(h, { role: 'user', numberId: t.n1.id }),
        outside: await accountAt(h, { role: 'user', numberId: t.n2.id }),
      };
  }
}

export const onNumber =
  (suffix: string, payload?: InjectOptions['payload']): Build =>
  async (h, role) => {
    const { inside, outside } = numbers(h, role);
    const req = (n: string): Req => ({
      url: `/numbers/${n}${suffix}`,
      ...(payload === undefined ? {} : { payload }),
    });
    return { inScope: req(inside), ...(outside ? { outOfScope: req(outside) } : {}) };
  };

export const onAccount =
  (suffix: string): Build =>
  async (h, role) => {
    const { inside, outside } = await accounts(h, role);
    return {
      inScope: { url: `/accounts/${inside}${suffix}` },
      ...(outside === undefined ? {} : { outOfScope: { url: `/accounts/${outside}${suffix}` } }),
    };
  };

/** A route's requests, by `routeId`. */
export type Requests = Record<string, Build>;

export { OPERATOR, PASSWORD };

/** A site in each role's scope, and one outside it. A user's scope holds no site: its
 * request names the user's own number's site, which it may not use (403). */
export function sites(h: Harness, role: Role): { inside: string; outside?: string } {
  const t = h.tenant;
  switch (role) {
    case 'operator':
      return { inside: t.s3.code };
    case 'group_admin':
      return { inside: t.s2.code, outside: t.s3.code };
    case 'site_admin':
      return { inside: t.s1.code, outside: t.s2.code };
    case 'user':
      return { inside: t.s1.code, outside: t.s2.code };
  }
}

export const onSite =
  (suffix: string, payload?: InjectOptions['payload']): Build =>
  async (h, role) => {
    const { inside, outside } = sites(h, role);
    const req = (code: string): Req => ({
      url: `/sites/${code}${suffix}`,
      ...(payload === undefined ? {} : { payload }),
    });
    return { inScope: req(inside), ...(outside ? { outOfScope: req(outside) } : {}) };
  };
