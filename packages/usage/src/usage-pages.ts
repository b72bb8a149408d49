import {
  type CallRecordCursor,
  type CallRecordSearch,
  type Executor,
  searchCallDestinations,
  searchCallRecords,
} from '@ipvoice/db';
import type { UsageSearchBy } from './output-limits.ts';
import { callCsvRow, destinationCsvRow } from './usage-csv.ts';

/** Rows read per query when writing files: memory stays at one page however big the export. */
export const PAGE_SIZE = 1_000;

/**
 * The search's CSV rows, page by page, by keyset (each page starts after the last row of the
 * previous one), stopping after `max` rows.
 */
export async function* csvPages(
  db: Executor,
  search: CallRecordSearch,
  by: UsageSearchBy,
  timeZone: string,
  max: number,
): AsyncGenerator<Array<Array<string | number | null>>> {
  let read = 0;
  let afterCall: CallRecordCursor | undefined;
  let afterDestination: string | undefined;
  while (read < max) {
    const limit = Math.min(PAGE_SIZE, max - read);
    let page: Array<Array<string | number | null>>;
    if (by === 'call') {
      const rows = await searchCallRecords(db, { ...search, limit, after: afterCall });
      const last = rows.at(-1);
      if (last !== undefined) afterCall = { startedAt: last.started_at, id: last.id };
      page = rows.map((row) => callCsvRow(row, timeZone));
    } else {
      const rows = await searchCallDestinations(db, { ...search, limit, after: afterDestination });
      afterDestination = rows.at(-1)?.called;
      page = rows.map(destinationCsvRow);
    }
    if (page.length === 0) return;
    read += page.length;
    yield page;
    if (page.length < limit) return;
  }
}
