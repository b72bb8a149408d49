// `npm start`: the embedded default (ARCHITECTURE.md decision 7), or whatever the
// configuration says. Logs where to point a softphone once listening.
import { runService, type Config } from '@ipvoice/config';
import { pino } from 'pino';
import { startApi } from '@ipvoice/provisioning-api';
import { createScheduler, type Scheduler } from '@ipvoice/scheduler';
import { systemClock } from '@ipvoice/sip';
import { startFeatureServer } from './feature-server.ts';

async function main(config: Config) {
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

  return {
    logger,
    close: async () => {
      await api.close();
      await jobs?.close();
      await server.close();
    },
  };
}

runService('feature server', main);
