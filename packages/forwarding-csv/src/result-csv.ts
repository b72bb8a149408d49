import { stringify } from 'csv-stringify/sync';

export interface UploadRowResult {
  /** The row's line in the uploaded file (the header is line 1). */
  line: number;
  /** As written in the file. */
  number: string;
  result: 'ok' | 'error';
  reason?: string;
}

/**
 * SPEC §4: the per-row result of an upload, `line,number,result,reason`, UTF-8 with a BOM and
 * CRLF line ends so Excel opens it cleanly.
 */
export function uploadResultCsv(rows: readonly UploadRowResult[]): Buffer {
  return Buffer.from(
    stringify(
      rows.map((r) => [r.line, r.number, r.result, r.reason ?? '']),
      {
        bom: true,
        header: true,
        columns: ['line', 'number', 'result', 'reason'],
        record_delimiter: 'windows',
      },
    ),
    'utf8',
  );
}
