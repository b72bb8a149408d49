// SPEC §4 authorization, generated from the exported route table: for every route and every
// role, a request within scope succeeds and one outside it is answered 404, exactly as for a
// thing that does not exist (403 for a role without the right). A route without an entry in
// `requests` (matrix/*.ts) fails the test, so no route can be added unchecked.
import type { InjectOptions } from 'fastify';
import { roleAllowed, roles, type Role } from '../src/access.ts';
import { routeId, type ApiRoute } from '../src/route.ts';
import { routes } from '../src/routes/index.ts';
import { eachDialect, type Harness } from './helpers/harness.ts';
import { loginOf, type Req } from './matrix/common.ts';
import { requests } from './matrix/index.ts';

const dialectTest = eachDialect();

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
