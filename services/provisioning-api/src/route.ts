import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Access, Principal, Target } from './access.ts';
import type { ApiDeps } from './api-deps.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSchemas<P, Q, B> {
  params?: z.ZodType<P>;
  querystring?: z.ZodType<Q>;
  body?: z.ZodType<B>;
}

export interface RouteContext<P, Q, B> {
  deps: ApiDeps;
  /** Undefined only on public routes. */
  principal: Principal | undefined;
  target: Target;
  params: P;
  query: Q;
  body: B;
  now: Date;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One route of the API as data: the table tests and the documentation iterate. */
export interface ApiRoute {
  method: Method;
  /** fastify syntax: `/numbers/:number/forwarding`. */
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  /** The status of success; 204 answers no body. */
  status: 200 | 201 | 204;
  schema: RouteSchemas<unknown, unknown, unknown>;
  handler(ctx: RouteContext<unknown, unknown, unknown>): Promise<unknown>;
}

/** `GET /numbers/:number`: how tests and logs name a route. */
export const routeId = (r: Pick<ApiRoute, 'method' | 'url'>): string => `${r.method} ${r.url}`;

/** Keeps the handler's parameter types tied to the route's schemas. */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(route: {
  method: Method;
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  status?: 200 | 201 | 204;
  schema?: RouteSchemas<P, Q, B>;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}): ApiRoute {
  return {
    ...route,
    status: route.status ?? 200,
    schema: (route.schema ?? {}) as RouteSchemas<unknown, unknown, unknown>,
    handler: route.handler as ApiRoute['handler'],
  };
}
