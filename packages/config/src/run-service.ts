// The life of a service process (`npm start`, `npm run api`, `npm run scheduler`): the
// configuration or a message naming the bad key (exit 2), the service started (exit 1 with
// the reason if it cannot), and SIGINT/SIGTERM closing it once (exit 0, or 1 if closing fails).
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';
import type { Config } from './schema.ts';

export interface ServiceLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RunningService {
  logger: ServiceLogger;
  /** Ends the service; the process exits when it resolves. */
  close(): Promise<void>;
}

export function runService(name: string, start: (config: Config) => Promise<RunningService>): void {
  let config: Config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  start(config).then(
    ({ logger, close }) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (err: unknown) => {
      process.stderr.write(
        `${name} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
