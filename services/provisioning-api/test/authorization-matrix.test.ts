// SPEC §4 authorization, generated from the exported route table: for every route and every
// role, a request within scope succeeds and one outside it is answered 404, exactly as for a
// thing that does not exist (403 for a role without the right). A route without an entry in
// `requests` fails the test, so no route can be added unchecked.
import { createAccount, type AccountScope } from '@ipvoice/db';
import type { InjectOptions } from 'fastify';
import { roleAllowed, roles, type Role } from '../src/access.ts';
import { hashPassword } from '../src/auth/secrets.ts';
import { routeId, type ApiRoute } from '../src/route.ts';
import { routes } from '../src/routes/index.ts';
import { eachDialect, OPERATOR, PASSWORD, start, type Harness } from './helpers/harness.ts';

const dialectTest = eachDialect();
const loginOf: Record<Role, string> = {
  operator: OPERATOR.login,
  group_admin: 'ga',
  site_admin: 'sa',
  user: 'user',
};

type Req = Omit<InjectOptions, 'method'>;
/** Requests for one role: within its scope, and outside it (absent where nothing lies outside
 * — the operator's scope is everything; routes acting on the caller itself). */
type Build = (h: Harness, role: Role) => Promise<{ inScope: Req; outOfScope?: Req }>;

/** A number in each role's scope, and one outside it (see the tenant in harness.ts). */
function numbers(h: Harness, role: Role): { inside: string; outside?: string } {
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
async function accountAt(h: Harness, scope: AccountScope): Promise<number> {
  made += 1;
  const a = await createAccount(
    h.db,
    { login: `target${made}`, passwordHash: await hashPassword(PASSWORD), scope },
    start,
  );
  return a.id;
}

/** An account each role may manage, and one it may not. */
async function accounts(h: Harness, role: Role): Promise<{ inside: number; outside?: number }> {
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

const onNumber =
  (suffix: string, payload?: InjectOptions['payload']): Build =>
  async (h, role) => {
    const { inside, outside } = numbers(h, role);
    const req = (n: string): Req => ({
      url: `/numbers/${n}${suffix}`,
      ...(payload === undefined ? {} : { payload }),
    });
    return { inScope: req(inside), ...(outside ? { outOfScope: req(outside) } : {}) };
  };

const onAccount =
  (suffix: string): Build =>
  async (h, role) => {
    const { inside, outside } = await accounts(h, role);
    return {
      inScope: { url: `/accounts/${inside}${suffix}` },
      ...(outside === undefined ? {} : { outOfScope: { url: `/accounts/${outside}${suffix}` } }),
    };
  };

let created = 0;
const requests: Record<string, Build> = {
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

async function send(h: Harness, route: ApiRoute, role: Role, req: Req) {
  // A fresh session for every request: some routes end it (logout, password change).
  const cookie = await h.login(loginOf[role]);
  return h.request({ ...req, method: route.method, cookie } as InjectOptions & { cookie: string });
}

for (const route of routes) {
  const id = routeId(route);
  dialectTest(`authorization matrix: ${id}`, async (t, h) => {
    const build = requests[id];
    if (build === undefined) {
      t.fail(`${id} has no requests in the authorization matrix`);
      return;
    }
    for (const role of roles) {
      const { inScope, outOfScope } = await build(h, role);
      const allowed = roleAllowed(route.access, role);
      const inside = await send(h, route, role, inScope);
      if (allowed) {
        t.true(
          inside.statusCode >= 200 && inside.statusCode < 300,
          `${id} as ${role} within scope: ${inside.statusCode} ${inside.body}`,
        );
      } else {
        t.is(inside.statusCode, 403, `${id} as ${role}: ${inside.body}`);
      }
      if (outOfScope === undefined) continue;
      const outside = await send(h, route, role, outOfScope);
      t.is(
        outside.statusCode,
        allowed ? 404 : 403,
        `${id} as ${role} outside scope: ${outside.body}`,
      );
      if (allowed) t.is(outside.json<{ error: string }>().error, 'not_found');
    }
  });
}
