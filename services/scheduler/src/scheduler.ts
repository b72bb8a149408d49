// The scheduler service (ARCHITECTURE.md: services/scheduler, node-cron jobs). Two jobs:
// SPEC §3.2 scheduled forwarding switches, once at start (catch-up after downtime) and then
// every minute at second 0; and a maintenance pass (SPEC §4 history retention, stale SPEC
// §3.3 bulk operations), once at start and then daily at 03:17.
import { mkdirSync } from 'node:fs';
import type { Config } from '@ipvoice/config';
import { migrateToLatest, openDatabase, type Database, type Kysely } from '@ipvoice/db';
import { systemClock, type Clock, type Logger } from '@ipvoice/sip';
import { createStateStore, type StateStore } from '@ipvoice/state';
import { schedule as nodeCronSchedule } from 'node-cron';
import { runMaintenance, type MaintenanceReport } from './maintenance.ts';
import { applyScheduleSwitches, type SwitchReport } from './schedule-switcher.ts';

/** What a cron job needs from its timer: node-cron by default, a hand-driven one in tests. */
export type CronSchedule = (
  expression: string,
  name: string,
  task: () => Promise<void>,
) => { stop(): void | Promise<void> };

/** Every minute at second 0 (node-cron's six-field form, seconds first). */
export const everyMinute = '0 * * * * *';

/** Daily at 03:17:00 in the process's local time zone (node-cron's default): a quiet hour,
 * off the minute that every other nightly job picks. */
export const dailyMaintenance = '0 17 3 * * *';

/** node-cron, logging through our logger (it would use the console). */
export function nodeCron(logger: Logger): CronSchedule {
  const cronLogger = {
    info: (message: string) => logger.info({}, message),
    warn: (message: string) => logger.warn({}, message),
    error: (message: string | Error, err?: Error) =>
      logger.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error, err?: Error) =>
      logger.debug({ err: err ?? message }, String(message)),
  };
  return (expression, name, task) => {
    const job = nodeCronSchedule(expression, task, {
      name,
      // A pass still running when the next minute comes is not doubled up; the next one
      // computes what is in force then, so nothing is lost by skipping.
      noOverlap: true,
      // node-cron drops a tick that fires more than this late (a blocked event loop);
      // a pass is cheap to run late, a dropped one delays a switch by a minute.
      missedExecutionTolerance: 30_000,
      logger: cronLogger,
    });
    return { stop: () => job.destroy() };
  };
}

export interface SchedulerDeps {
  db: Kysely<Database>;
  state: StateStore;
  logger: Logger;
  /** Written as `applied_by` on the schedule state; `server.id` from the configuration. */
  schedulerId: string;
  /** `voicemail.storeDir`: the daily pass deletes audio nothing refers to. */
  voicemailStoreDir?: string;
  /** The data folder, whose usage exports the daily pass expires. */
  dataDir?: string;
  clock?: Clock;
  cron?: CronSchedule;
}

export interface Scheduler {
  /** One forwarding-schedule pass now (or at `at`, ms since the epoch), as the cron tick runs it. */
  runForwardingPass(at?: number): Promise<SwitchReport>;
  /** One maintenance pass now (or at `at`), as the daily cron tick runs it. */
  runMaintenancePass(at?: number): Promise<MaintenanceReport>;
  /** Stops the cron jobs and waits for a pass in flight. Leaves db and state open. */
  close(): Promise<void>;
}

/**
 * The jobs on a database and state store the caller owns (an embedding process passes its
 * own, so in-process state reaches its subscribers). Runs the catch-up pass and a
 * maintenance pass before resolving, then arms the cron jobs.
 */
export async function createScheduler({
  db,
  state,
  logger,
  schedulerId,
  clock = systemClock,
  cron = nodeCron(logger),
}: SchedulerDeps): Promise<Scheduler> {
  const deps = { db, state, clock, logger, schedulerId };
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p),
    );
    return p;
  };
  const pass = (at?: number) => track(applyScheduleSwitches(deps, at ?? clock.now()));
  const maintain = (at?: number) => track(runMaintenance(deps, at ?? clock.now()));
  // Housekeeping must never stop the switches: a failed pass is logged, and tomorrow's
  // (or the next start's) runs again.
  const maintainLogged = async () => {
    try {
      const report = await maintain();
      logger.info(
        {
          prunedHistoryRows: report.prunedHistoryRows,
          prunedCounterRows: report.prunedCounterRows,
          prunedMailRows: report.prunedMailRows,
          prunedVoicemailFiles: report.prunedVoicemailFiles,
          usageExports: report.usageExports,
          prunedJobs: report.prunedJobs,
          recoveredBulkGroups: report.bulk.recovered.length,
          failedBulkOperations: report.bulk.failedOperations.length,
          failed: report.failed,
        },
        'maintenance pass done',
      );
    } catch (err) {
      logger.error({ err }, 'maintenance pass failed');
    }
  };

  // SPEC §3.2: switches survive restarts. Whatever was missed while down, the state simply
  // becomes what is in force now; the history row of such a switch says it was a catch-up.
  const first = await pass();
  logger.info(
    { switched: first.switched.length, unchanged: first.unchanged, failed: first.failed.length },
    'forwarding schedules caught up',
  );

  await maintainLogged();

  const jobs = [
    cron(everyMinute, 'forwarding-schedule', async () => {
      try {
        await pass();
      } catch (err) {
        // The next minute's pass retries; nothing is half-done (one transaction per number).
        logger.error({ err }, 'forwarding schedule pass failed');
      }
    }),
    cron(dailyMaintenance, 'maintenance', maintainLogged),
  ];

  let closed = false;
  return {
    runForwardingPass: (at) => pass(at),
    runMaintenancePass: (at) => maintain(at),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(jobs.map((job) => job.stop()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  cron?: CronSchedule;
}

export interface StandaloneScheduler extends Scheduler {
  readonly db: Kysely<Database>;
  readonly state: StateStore;
  /** Stops the jobs, then closes the state store and the database. */
  close(): Promise<void>;
}

/** The scheduler as its own process: database and state store from the shared configuration. */
export async function startScheduler({
  config,
  logger,
  clock = systemClock,
  cron,
}: StartOptions): Promise<StandaloneScheduler> {
  if (config.database.url.startsWith('sqlite:')) mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(config.database.url, {
    onIdleError: (err) => logger.warn({ err }, 'idle database connection lost'),
  });
  let state: StateStore | undefined;
  try {
    await migrateToLatest(db);
    state = createStateStore({
      driver: config.state.driver,
      keyPrefix: config.state.keyPrefix,
      ...(config.state.redisUrl ? { redisUrl: config.state.redisUrl } : {}),
      clock,
      onError: (err: unknown) => logger.error({ err }, 'state store error'),
    });
    if (config.state.driver === 'memory') {
      logger.warn(
        {},
        'state driver is memory: change notices stay in this process, so feature servers ' +
          'elsewhere see a switch only when their settings cache expires',
      );
    }
    const scheduler = await createScheduler({
      db,
      state,
      logger,
      clock,
      schedulerId: config.server.id,
      voicemailStoreDir: config.voicemail.storeDir,
      dataDir: config.dataDir,
      ...(cron ? { cron } : {}),
    });
    const owned = state;
    let closing: Promise<void> | undefined;
    return {
      db,
      state: owned,
      runForwardingPass: (at) => scheduler.runForwardingPass(at),
      runMaintenancePass: (at) => scheduler.runMaintenancePass(at),
      close() {
        closing ??= (async () => {
          await scheduler.close();
          await owned.close();
          await db.destroy();
        })();
        return closing;
      },
    };
  } catch (err) {
    await state?.close();
    await db.destroy();
    throw err;
  }
}
