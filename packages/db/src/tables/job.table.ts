import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §4: the background jobs an administrator starts on a site. */
export type JobKind = 'csv_upload' | 'csv_download' | 'bulk_start' | 'bulk_stop';
export type JobStatus = 'running' | 'done' | 'failed';

export interface JobTable {
  id: Generated<number>;
  kind: JobKind;
  site_id: number;
  /** The login of the account that started it. */
  actor: string;
  status: JobStatus;
  /** JSON object. */
  summary: string;
  /** A file name inside the jobs folder of the API's data folder. */
  result_file: string | null;
  created_at: string;
  finished_at: string | null;
}

export type JobRow = Selectable<JobTable>;
export type NewJobRow = Insertable<JobTable>;
export type JobRowUpdate = Updateable<JobTable>;
