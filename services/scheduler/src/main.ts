// `npm run scheduler`: the scheduler as its own process, on the same configuration as the
// feature server (database url, state driver and Redis url, server id).
import { runService, type Config } from '@ipvoice/config';
import { pino } from 'pino';
import { startScheduler } from './scheduler.ts';

async function main(config: Config) {
  const logger = pino({
    level: config.log.level,
    base: { server: config.server.id, service: 'scheduler' },
  });
  const scheduler = await startScheduler({ config, logger });
  logger.info(
    {
      database: config.database.url.replace(/\/\/[^@/]*@/, '//***@'),
      state: config.state.driver,
    },
    'scheduler running: forwarding schedules every minute at second 0',
  );

  return { logger, close: () => scheduler.close() };
}

runService('scheduler', main);
