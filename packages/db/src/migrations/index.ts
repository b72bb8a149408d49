import type { Migration, MigrationProvider } from 'kysely';
import * as subscriberModel from './2025-11-23-0000-subscriber-model.ts';
import * as featureSettings from './2025-11-23-0100-feature-settings.ts';
import * as callRecords from './2025-11-23-0200-call-records.ts';
import * as forwardingJobs from './2025-11-23-0300-forwarding-jobs.ts';
import * as screeningCounters from './2025-11-23-0400-screening-counters.ts';
import * as voicemail from './2025-11-23-0500-voicemail.ts';
import * as mailQueue from './2025-11-23-0600-mail-queue.ts';
import * as accounts from './2025-11-23-0700-accounts.ts';
import * as usageExports from './2025-11-23-0810-usage-exports.ts';
import * as jobs from './2025-11-23-0900-jobs.ts';

/** Every migration, listed by hand: no directory scanning, names sort by time. */
export const migrations: Record<string, Migration> = {
  '2025-11-23-0000-subscriber-model': subscriberModel,
  '2025-11-23-0100-feature-settings': featureSettings,
  '2025-11-23-0200-call-records': callRecords,
  '2025-11-23-0300-forwarding-jobs': forwardingJobs,
  '2025-11-23-0400-screening-counters': screeningCounters,
  '2025-11-23-0500-voicemail': voicemail,
  '2025-11-23-0600-mail-queue': mailQueue,
  '2025-11-23-0700-accounts': accounts,
  '2025-11-23-0810-usage-exports': usageExports,
  '2025-11-23-0900-jobs': jobs,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
