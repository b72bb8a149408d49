import type { FastifyInstance } from 'fastify';
import { buildApi, type BuildApiOptions } from './build-api.ts';

/** Builds the API and listens on http.host:http.port (HTTP_PORT; default 8080). */
export async function startApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const app = buildApi(options);
  await app.listen({ port: options.config.http.port, host: options.config.http.host });
  return app;
}
