// The daily maintenance pass: SPEC §4 keeps setting history 180 days, SPEC §3.8 shows
// screening counts for this month and last month only, and SPEC §3.3 bulk
// forwarding must not stay `starting`/`stopping` after an operation died halfway (every
// later start and stop of the group would be refused). Both are housekeeping nobody asks
// for, so the scheduler does them once a day and once at start.
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  pruneJobs,
  pruneMails,
  pruneScreeningCounters,
  pruneSettingHistory,
  type Database,
  type Kysely,
} from '@ipvoice/db';
import { monthKey, previousMonthKey } from '@ipvoice/features';
import {
  defaultStaleBulkOperationMs,
  recoverStaleBulkOperations,
  type BulkRecoveryReport,
} from '@ipvoice/forwarding-ops';
import type { Clock, Logger } from '@ipvoice/sip';
import type { StateStore } from '@ipvoice/state';
import { failStaleExports, pruneExpiredExports } from '@ipvoice/usage';
import { pruneOrphanVoicemailFiles } from './voicemail-files.ts';

export interface MaintenanceDeps {
  db: Kysely<Database>;
  state: StateStore;
  clock: Clock;
  logger: Logger;
  /** How long the pass lock holds if its holder dies (default 5 minutes). */
  lockTtlMs?: number;
  /** The data folder: usage exports live in its `exports/` (SPEC §3.13 keeps them 3 days). */
  dataDir?: string;
  /** Where voicemail audio is stored (`voicemail.storeDir`); orphans there are deleted. */
  voicemailStoreDir?: string;
  /** A bulk operation still `running` after this long is dead (default 10 minutes). */
  staleBulkOperationMs?: number;
}

export type MaintenanceStep =
  | 'prune_setting_history'
  | 'prune_screening_counters'
  | 'prune_mail_queue'
  | 'prune_voicemail_files'
  | 'prune_usage_exports'
  | 'prune_jobs'
  | 'recover_bulk_operations';

export interface MaintenanceReport {
  /** Setting-history rows older than 180 days, deleted. */
  prunedHistoryRows: number;
  /** Screening counters of months no screen shows any more, deleted. */
  prunedCounterRows: number;
  /** Sent and failed mails older than 30 days, deleted. */
  prunedMailRows: number;
  /** Voicemail files no message or greeting refers to, deleted. */
  prunedVoicemailFiles: number;
  /** Usage bulk exports past their 3 days, deleted with their files; and interrupted ones
   * marked failed. */
  usageExports: { pruned: number; failed: number };
  /** Background jobs (CSV, bulk start/stop) finished over 30 days ago, deleted with their
   * result files. */
  prunedJobs: number;
  /** Bulk-forwarding groups put back and operations marked failed. */
  bulk: BulkRecoveryReport;
  /** Steps that threw (logged); the next pass runs them again. */
  failed: MaintenanceStep[];
}

const mailRetentionMs = 30 * 24 * 3600_000;
/** SPEC §4 shows a job with its result file; a month of them is what an administrator looks back on. */
const jobRetentionMs = 30 * 24 * 3600_000;

/** The lock every scheduler takes for a maintenance pass, so passes run one after another. */
export const maintenancePassLock = 'scheduler:maintenance';

/**
 * One maintenance pass at `at` (ms since the epoch): prunes setting history past its
 * retention and recovers stale bulk-forwarding operations. Runs under a shared lock; a
 * second scheduler's pass then finds nothing left to do (both steps are idempotent, and the
 * recovery is conditional per group, so a lapsed lock costs only repeated work). A step that
 * fails is logged and does not keep the other from running.
 */
export async function runMaintenance(
  deps: MaintenanceDeps,
  at: number = deps.clock.now(),
): Promise<MaintenanceReport> {
  const { db, state, logger } = deps;
  return state.withLock(maintenancePassLock, deps.lockTtlMs ?? 5 * 60_000, async () => {
    const report: MaintenanceReport = {
      prunedHistoryRows: 0,
      prunedCounterRows: 0,
      prunedMailRows: 0,
      prunedVoicemailFiles: 0,
      usageExports: { pruned: 0, failed: 0 },
      prunedJobs: 0,
      bulk: { recovered: [], failedOperations: [], failed: [] },
      failed: [],
    };
    try {
      report.prunedHistoryRows = await pruneSettingHistory(db, new Date(at));
    } catch (err) {
      logger.error({ err }, 'setting history prune failed');
      report.failed.push('prune_setting_history');
    }
    try {
      // "Last month" in any zone from UTC-12 to UTC+14 is no earlier than the UTC month
      // before last: keep that and later.
      const oldest = previousMonthKey(previousMonthKey(monthKey(at, 'UTC')));
      report.prunedCounterRows = await pruneScreeningCounters(db, oldest);
    } catch (err) {
      logger.error({ err }, 'screening counter prune failed');
      report.failed.push('prune_screening_counters');
    }
    try {
      // A sent mail's row is only its delivery trace; a month of them answers "did it go?".
      report.prunedMailRows = await pruneMails(db, new Date(at - mailRetentionMs));
    } catch (err) {
      logger.error({ err }, 'mail queue prune failed');
      report.failed.push('prune_mail_queue');
    }
    if (deps.voicemailStoreDir !== undefined) {
      try {
        report.prunedVoicemailFiles = await pruneOrphanVoicemailFiles(
          db,
          deps.voicemailStoreDir,
          at,
        );
      } catch (err) {
        logger.error({ err }, 'voicemail file prune failed');
        report.failed.push('prune_voicemail_files');
      }
    }
    if (deps.dataDir !== undefined) {
      try {
        report.usageExports = {
          failed: await failStaleExports(db, new Date(at)),
          pruned: await pruneExpiredExports(db, new Date(at), deps.dataDir),
        };
      } catch (err) {
        logger.error({ err }, 'usage export prune failed');
        report.failed.push('prune_usage_exports');
      }
    }
    if (deps.dataDir !== undefined) {
      try {
        const files = await pruneJobs(db, new Date(at - jobRetentionMs));
        const dir = join(deps.dataDir, 'jobs');
        await Promise.all(files.map((file) => rm(join(dir, basename(file)), { force: true })));
        report.prunedJobs = files.length;
      } catch (err) {
        logger.error({ err }, 'job prune failed');
        report.failed.push('prune_jobs');
      }
    }
    try {
      report.bulk = await recoverStaleBulkOperations(
        { db, state, logger, clock: { now: () => at } },
        deps.staleBulkOperationMs ?? defaultStaleBulkOperationMs,
      );
      if (report.bulk.failed.length > 0) report.failed.push('recover_bulk_operations');
    } catch (err) {
      logger.error({ err }, 'bulk forwarding recovery failed');
      report.failed.push('recover_bulk_operations');
    }
    return report;
  });
}
