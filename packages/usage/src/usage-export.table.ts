import type { Selectable } from 'kysely';

export type UsageExportStatus = 'running' | 'done' | 'failed';

/** SPEC §3.13: one background bulk export (migration 2025-11-23-0810-usage-exports). */
export interface UsageExportTable {
  /** The job id, also in its file names. */
  id: string;
  /** The account that asked, as the API names it. */
  requested_by: string;
  /** JSON of the search: scope, by, time zone and the local period as entered. */
  scope: string;
  /** The searched instants, ISO 8601 UTC: `period_from` inclusive, `period_to` exclusive. */
  period_from: string;
  period_to: string;
  status: UsageExportStatus;
  /** JSON array of the file names, in order. */
  files: string;
  row_count: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

/** The usage package's own table, added to the shared schema with `withTables`. */
// A type, not an interface: `withTables` wants an index signature.
export type UsageTables = {
  usage_exports: UsageExportTable;
};

export type UsageExportRow = Selectable<UsageExportTable>;
