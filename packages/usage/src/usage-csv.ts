// CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Japanese as Shift_JIS
// mojibake) and CRLF line ends.
import type { CallUsage, DestinationUsage } from '@ipvoice/db';
import { localDateTimeAt } from '@ipvoice/features';
import { stringify } from 'csv-stringify/sync';
import type { UsageSearchBy } from './output-limits.ts';

export const CALL_COLUMNS = [
  'start',
  'answer',
  'end',
  'caller',
  'caller_anonymity',
  'called',
  'direction',
  'outcome',
  'reason',
  'failure_code',
  'forwarded_to',
  'ring_seconds',
  'talk_seconds',
  'rate_band',
  'hunt_member',
  'access_line',
  'call_id',
] as const;

export const DESTINATION_COLUMNS = [
  'called',
  'calls',
  'answered',
  'talk_seconds',
  'normal_calls',
  'normal_talk_seconds',
  'night_calls',
  'night_talk_seconds',
  'holiday_calls',
  'holiday_talk_seconds',
] as const;

/** Local wall time of a stored instant, as Excel reads a date and time. */
function localTime(iso: string | null, timeZone: string): string {
  if (iso === null) return '';
  return localDateTimeAt(new Date(iso), timeZone).replace('T', ' ');
}

export function callCsvRow(row: CallUsage, timeZone: string): Array<string | number | null> {
  return [
    localTime(row.started_at, timeZone),
    localTime(row.answered_at, timeZone),
    localTime(row.ended_at, timeZone),
    row.caller,
    row.caller_anonymity,
    row.called,
    row.direction,
    row.outcome,
    row.outcome_reason,
    row.failure_code,
    row.forwarded_to,
    row.ring_seconds,
    row.talk_seconds,
    row.rate_band,
    row.hunt_member,
    row.access_line_code,
    row.call_id,
  ];
}

export function destinationCsvRow(row: DestinationUsage): Array<string | number> {
  return DESTINATION_COLUMNS.map((column) => row[column]);
}

/**
 * CSV text for one part of a file: the first part starts with the BOM and the header row,
 * later parts are rows only, so a file is written page by page.
 */
export function usageCsv(
  by: UsageSearchBy,
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
  first: boolean,
): string {
  const header = by === 'call' ? CALL_COLUMNS : DESTINATION_COLUMNS;
  const records = first ? [[...header], ...rows] : rows;
  return stringify(records as Array<Array<string | number | null>>, {
    bom: first,
    record_delimiter: 'windows',
  });
}
