// `npm run api`: the REST API as its own process, on the same configuration as the feature
// server (database url, state driver and Redis url, http.port / HTTP_PORT). With in-process
// state (the embedded default) its change notices reach no feature server: run it that way
// only against Redis, or use `npm start`, which serves the API in the feature server.
import { mkdirSync } from 'node:fs';
import { runService, type Config } from '@ipvoice/config';
import { migrateToLatest, openDatabase } from '@ipvoice/db';
import { createStateStore, systemClock } from '@ipvoice/state';
import { pino } from 'pino';
import { startApi } from './start-api.ts';

async function main(config: Config) {
  const logger = pino({
    level: config.log.level,
    base: { server: config.server.id, service: 'provisioning-api' },
  });
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(config.database.url, {
    onIdleError: (err) => logger.warn({ err }, 'idle database connection failed'),
  });
  await migrateToLatest(db);
  const state = createStateStore({
    driver: config.state.driver,
    keyPrefix: config.state.keyPrefix,
    ...(config.state.redisUrl ? { redisUrl: config.state.redisUrl } : {}),
    onError: (err) => logger.error({ err }, 'state store error'),
  });
  const app = await startApi({ db, state, config, clock: systemClock, logger });
  logger.info(
    { port: config.http.port, operator: config.api.operatorLogin ?? null },
    `REST API listening on http://${config.http.host}:${config.http.port} (OpenAPI at /docs)`,
  );
  return {
    logger,
    close: async () => {
      await app.close();
      await state.close();
      await db.destroy();
    },
  };
}

runService('provisioning API', main);
