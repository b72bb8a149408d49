import { findBulkForwardingOperation, listBulkForwardingResults } from '@ipvoice/db';
import type { BulkForwardingNumberResult, Database, Kysely } from '@ipvoice/db';
import { stringify } from 'csv-stringify/sync';

/**
 * SPEC §3.3/§4: the per-number result file, UTF-8 with a BOM and CRLF line ends so Excel
 * opens it (and its Japanese reasons) cleanly. Header: number,result,reason.
 */
export function bulkResultCsv(results: readonly BulkForwardingNumberResult[]): string {
  return stringify(
    results.map((r) => [r.number, r.outcome, r.reason ?? '']),
    {
      bom: true,
      header: true,
      columns: ['number', 'result', 'reason'],
      record_delimiter: 'windows',
    },
  );
}

/** The result file of a past operation, for download; undefined when there is none. */
export async function loadBulkResultCsv(
  db: Kysely<Database>,
  operationId: number,
): Promise<string | undefined> {
  if ((await findBulkForwardingOperation(db, operationId)) === undefined) return undefined;
  return bulkResultCsv(await listBulkForwardingResults(db, operationId));
}
