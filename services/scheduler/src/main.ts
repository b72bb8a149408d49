// `npm run scheduler`: the scheduler as its own process, on the same configuration as the
// feature server (database url, state driver and Redis url, server id).
import { ConfigError, loadConfig } from '@ipvoice/config';
import { pino } from 'pino';
import { startScheduler } from './scheduler.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    scheduler.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `scheduler failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
