// The REST API (ARCHITECTURE.md services/provisioning-api): fastify + zod, OpenAPI from the
// route schemas at /docs, JSON errors `{ error, message, field? }`.
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createAccount, findAccountByLogin, setAccountPassword } from '@ipvoice/db';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { resolveTarget, type Principal } from './access.ts';
import type { ApiDeps } from './api-deps.ts';
import { ApiError } from './api-error.ts';
import { authenticate } from './auth/principal.ts';
import { hashPassword, verifyPassword } from './auth/secrets.ts';
import type { ApiRoute } from './route.ts';
import { routes as allRoutes } from './routes/index.ts';

export interface BuildApiOptions extends ApiDeps {
  /** Replaces the route table (tests); default: every route. */
  routes?: readonly ApiRoute[];
}

/** Builds the API; nothing listens until `listen` (or `startApi`). The operator account of
 * the configuration is made when the instance gets ready. */
export function buildApi(options: BuildApiOptions): FastifyInstance {
  const deps: ApiDeps = options;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Per-request lines would drown the feature server's call logs; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A voicemail greeting is uploaded as the WAV itself; a minute of 16-bit 8 kHz is ~960 kB.
  app.addContentTypeParser(
    ['audio/wav', 'audio/x-wav', 'audio/wave'],
    { parseAs: 'buffer', bodyLimit: 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );
  // A forwarding CSV is uploaded as the file itself, UTF-8 or Shift_JIS: kept as bytes.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = errorAnswer(err, request);
    if (status >= 500) request.log.error({ err, url: request.url }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );

  void app.register(fastifyCookie);
  void app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'IP Voice provisioning API',
        version: '0.1.0',
        description:
          'SPEC §4: accounts, scope and the settings of numbers. Log in with POST /auth/login (session cookie) or send an API token as `Authorization: Bearer …`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ipvoice_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  void app.register(async (scope) => {
    for (const route of options.routes ?? allRoutes) registerRoute(scope, deps, route);
  });

  app.addHook('onReady', async () => {
    await ensureOperator(deps);
  });
  return app as unknown as FastifyInstance;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    target?: import('./access.ts').Target;
  }
}

function registerRoute(app: FastifyInstance, deps: ApiDeps, route: ApiRoute): void {
  const access = route.access;
  app.withTypeProvider<ZodTypeProvider>().route({
    method: route.method,
    url: route.url,
    schema: {
      summary: route.summary,
      tags: route.tags,
      ...(access.resource === 'public' ? {} : { security: [{ session: [] }, { token: [] }] }),
      ...(route.schema.params ? { params: route.schema.params } : {}),
      ...(route.schema.querystring ? { querystring: route.schema.querystring } : {}),
      ...(route.schema.body ? { body: route.schema.body } : {}),
    },
    // The one access check: who is asking, may the role do this, is the target in scope.
    preHandler: async (request) => {
      if (access.resource === 'public') return;
      const now = new Date(deps.clock.now());
      request.principal = await authenticate(deps.db, request, now, access.resource === 'pending');
      request.target = await resolveTarget(
        deps.db,
        access,
        request.principal,
        request.params as Record<string, string>,
      );
    },
    handler: async (request, reply) => {
      const result = await route.handler({
        deps,
        principal: request.principal,
        target: request.target ?? {},
        params: request.params,
        query: request.query,
        body: request.body,
        now: new Date(deps.clock.now()),
        request,
        reply,
      });
      // A handler that answered itself chose its status at run time (202 for a bulk export).
      if (reply.sent) return reply;
      reply.code(route.status);
      return route.status === 204 ? reply.send() : result;
    },
  });
}

/** Every error as `{ error, message, field? }`. */
interface ValidationIssue {
  instancePath: string;
  message?: string | undefined;
  keyword: string;
  params?: unknown;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
}

/**
 * A value matching no branch of a union (e.g. `'all' | { list }`) is reported by zod as one
 * `invalid_union` issue holding each branch's issues. The branch that got furthest — whose
 * first issue lies deepest, not a wrong type at the union itself — is what the caller meant,
 * and its issue names the field and the rule ("at most 30 numbers").
 */
function unionBranchIssue(issue: ValidationIssue): ValidationIssue | undefined {
  if (issue.keyword !== 'invalid_union') return undefined;
  const branches = (issue.params as { errors?: ZodIssueLike[][] } | undefined)?.errors ?? [];
  let best: ZodIssueLike | undefined;
  for (const branch of branches) {
    const candidate = branch[0];
    if (candidate === undefined) continue;
    const better =
      best === undefined ||
      candidate.path.length > best.path.length ||
      (candidate.path.length === best.path.length &&
        best.code === 'invalid_type' &&
        candidate.code !== 'invalid_type');
    if (better) best = candidate;
  }
  if (best === undefined || (best.path.length === 0 && best.code === 'invalid_type'))
    return undefined;
  const base = issue.instancePath.replace(/\/$/, '');
  return {
    instancePath: `${base}/${best.path.map(String).join('/')}`,
    message: best.message,
    keyword: best.code,
  };
}

/** PostgreSQL 23505, SQLite's UNIQUE / PRIMARY KEY constraint codes. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

function errorAnswer(
  err: FastifyError,
  request: FastifyRequest,
): { status: number; body: Record<string, unknown> } {
  if (err instanceof ApiError) return { status: err.status, body: err.body() };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const union = first === undefined ? undefined : unionBranchIssue(first);
    const issue = union ?? first;
    const path = (issue?.instancePath ?? '')
      .split('/')
      .filter((s) => s !== '')
      .join('.');
    const where = err.validationContext ?? 'body';
    const field = path === '' ? where : path;
    return {
      status: 400,
      body: {
        error: 'validation',
        message: `${field}: ${issue?.message ?? 'invalid'} (${issue?.keyword ?? 'invalid'})`,
        field,
        in: where,
      },
    };
  }
  if (isUniqueViolation(err)) {
    // Two requests racing to make the same thing (a number into two hunt groups, one group
    // name twice): the database kept the first; the second is told, not given a 500.
    return {
      status: 409,
      body: {
        error: 'conflict',
        message: 'someone else changed this at the same time; read it again and retry',
      },
    };
  }
  const status = err.statusCode ?? 500;
  if (status < 500) {
    return {
      status,
      body: {
        error: err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'validation' : 'bad_request',
        message: err.message,
      },
    };
  }
  void request;
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

/**
 * The operator account from the configuration (api.operatorLogin/operatorPassword): made
 * when missing, its password replaced when the configured one no longer matches. The
 * password is hashed here, at start; the configuration never reaches the database in clear.
 */
export async function ensureOperator(deps: ApiDeps): Promise<void> {
  const { operatorLogin: login, operatorPassword: password } = deps.config.api;
  if (login === undefined || password === undefined) return;
  const now = new Date(deps.clock.now());
  const existing = await findAccountByLogin(deps.db, login);
  if (existing === undefined) {
    await createAccount(
      deps.db,
      { login, passwordHash: await hashPassword(password), scope: { role: 'operator' } },
      now,
    );
    deps.logger.info({ login }, 'operator account created from the configuration');
    return;
  }
  if (existing.role !== 'operator') {
    deps.logger.warn({ login }, 'api.operatorLogin names an account that is not an operator');
    return;
  }
  if (!(await verifyPassword(existing.password_hash, password))) {
    await setAccountPassword(deps.db, existing.id, await hashPassword(password), now);
    deps.logger.info({ login }, 'operator password set from the configuration');
  }
}
