// `npm start`: the embedded default (ARCHITECTURE.md decision 7), or whatever the
// configuration says. Logs where to point a softphone once listening.
import { ConfigError, loadConfig } from '@ipvoice/config';
import { pino } from 'pino';
import { startApi } from '@ipvoice/provisioning-api';
import { createScheduler, type Scheduler } from '@ipvoice/scheduler';
import { systemClock } from '@ipvoice/sip';
import { startFeatureServer } from './feature-server.ts';

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
  const logger = pino({ level: config.log.level, base: { server: config.server.id } });
  // A promise rejected where nobody listens is a bug, but ending the process for it would
  // drop every call in progress: log it loudly and carry on.
  process.on('unhandledRejection', (err) => {
    logger.error({ err }, 'unhandled promise rejection (a bug; the server carries on)');
  });
  const server = await startFeatureServer({ config, logger });
  // The embedded default runs the scheduler here too, on the server's own state store so
  // its switch notices reach this server's cache even with in-process state.
  const jobs: Scheduler | undefined = config.scheduler.enabled
    ? await createScheduler({
        db: server.db,
        state: server.state,
        logger,
        schedulerId: config.server.id,
        voicemailStoreDir: config.voicemail.storeDir,
        dataDir: config.dataDir,
      })
    : undefined;

  // SPEC §4: the REST API, on the server's own database and state store so its change
  // notices reach this server's cache in the embedded default too.
  const api = await startApi({
    db: server.db,
    state: server.state,
    config,
    clock: systemClock,
    logger,
  });

  const points = server.listeningPoints.map(
    (p) => `${p.protocol.toLowerCase()}:${p.advertisedHost}:${p.port}`,
  );
  logger.info(
    {
      listen: points,
      domain: config.sip.domain,
      database: config.database.url.replace(/\/\/[^@/]*@/, '//***@'),
      state: config.state.driver,
      provisioning: config.provisioning.file,
      api: `http://${config.http.host}:${config.http.port}`,
    },
    `listening: point a softphone at ${config.sip.advertisedHost}:${config.sip.udp.port} (UDP or TCP), ` +
      `domain ${config.sip.domain}; the demo SIP-IDs and passwords are in provisioning/demo.yaml`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    api
      .close()
      .then(() => (jobs ? jobs.close() : undefined))
      .then(() => server.close())
      .then(
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
    `feature server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
