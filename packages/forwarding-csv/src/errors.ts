/** Base of every error this package throws on purpose. */
export class ForwardingCsvError extends Error {
  override readonly name: string = 'ForwardingCsvError';
}

/** The whole file was refused (no header, unknown columns, not CSV); nothing was applied. */
export class ForwardingCsvFormatError extends ForwardingCsvError {
  override readonly name = 'ForwardingCsvFormatError';
}

/** What a site's running operation tells about itself (kept with its lock). */
export interface SiteOperationHolder {
  operation: SiteOperation;
  actor: string;
  /** ISO 8601. */
  startedAt: string;
  /** The numbers it changes (CSV upload, bulk start/stop); a forwarding edit of one of them
   * is refused meanwhile. Absent for a download. */
  numberIds?: number[];
}

/** SPEC §4 / the manual's conflict table: the site-level operations that exclude each other. */
export type SiteOperation = 'csv-upload' | 'csv-download' | 'bulk-start' | 'bulk-stop';

const operationNames: Record<SiteOperation, string> = {
  'csv-upload': 'CSV upload',
  'csv-download': 'CSV download',
  'bulk-start': 'bulk-forwarding start',
  'bulk-stop': 'bulk-forwarding stop',
};

const startedBy = (holder: SiteOperationHolder) =>
  ` (started by ${holder.actor} at ${holder.startedAt})`;

/**
 * SPEC §4: another account's conflicting operation is running. `scope` says whether it was
 * refused for the site (CSV upload/download, bulk start/stop against each other) or for one
 * number (a forwarding edit against a CSV upload or bulk start/stop). The message is meant for
 * the administrator; `holder` is undefined when the holder finished while we looked.
 */
export class ForwardingCsvConflictError extends ForwardingCsvError {
  override readonly name = 'ForwardingCsvConflictError';

  constructor(
    readonly scope: 'site' | 'number',
    readonly siteId: number,
    readonly holder: SiteOperationHolder | undefined,
  ) {
    const what = holder === undefined ? 'operation' : operationNames[holder.operation];
    const who = holder === undefined ? '' : startedBy(holder);
    super(
      scope === 'site'
        ? `Another ${what} is running for this site${who}; try again when it has finished.`
        : `This number's forwarding is being changed by a ${what}${who}; try again when it has finished.`,
    );
  }
}
