// SPEC §3.13 usage search, as the REST API calls it: check the period, count the hits, check
// the output limit, then return a screen page, a CSV download or a started bulk export.
import {
  type CallRecordScope,
  type CallRecordSearch,
  type CallUsage,
  type DestinationUsage,
  countCallDestinations,
  countCallRecords,
  searchCallDestinations,
  searchCallRecords,
} from '@ipvoice/db';
import { type UsagePeriodInput, type UsagePeriodRule, checkUsagePeriod } from '@ipvoice/features';
import { type BulkExport, type BulkExportDeps, startBulkExport } from './bulk-export.ts';
import {
  OUTPUT_LIMITS,
  type OutputLimitRule,
  type UsageOutput,
  type UsageSearchBy,
  checkOutputLimit,
} from './output-limits.ts';
import { usageCsv } from './usage-csv.ts';
import { csvPages } from './usage-pages.ts';

export interface UsageSearchRequest {
  /** Whose records, resolved by the caller from the account's scope. */
  scope: CallRecordScope;
  by: UsageSearchBy;
  output: UsageOutput;
  /** Local wall times in `timeZone`, as entered. */
  period: UsagePeriodInput;
  /** The voice group's IANA zone. */
  timeZone: string;
  /** For the bulk job record. */
  requestedBy: string;
  /** Screen pages, from 1. */
  page?: number;
  pageSize?: number;
}

export const SCREEN_PAGE_SIZE = 100;

/** The period searched: local as entered (the end perhaps clamped) and as UTC instants. */
export interface SearchedPeriod {
  from: string;
  to: string;
  clamped: boolean;
  start: string;
  end: string;
}

export type UsageSearchResult =
  | {
      ok: false;
      kind: 'period';
      rule: UsagePeriodRule;
      field: 'from' | 'to';
      message: string;
      messageJa: string;
    }
  | {
      ok: false;
      kind: 'limit';
      rule: OutputLimitRule;
      total: number;
      message: string;
      messageJa: string;
    }
  | ({
      ok: true;
      output: 'screen';
      period: SearchedPeriod;
      total: number;
      page: number;
      pageSize: number;
    } & ({ by: 'call'; rows: CallUsage[] } | { by: 'destination'; rows: DestinationUsage[] }))
  | {
      ok: true;
      output: 'csv';
      by: UsageSearchBy;
      period: SearchedPeriod;
      total: number;
      fileName: string;
      csv: string;
    }
  | {
      ok: true;
      output: 'bulk';
      by: UsageSearchBy;
      period: SearchedPeriod;
      total: number;
      job: BulkExport;
      done: Promise<BulkExport>;
    };

export type UsageSearchDeps = BulkExportDeps;

export async function usageSearch(
  deps: UsageSearchDeps,
  request: UsageSearchRequest,
): Promise<UsageSearchResult> {
  const checked = checkUsagePeriod(request.period, deps.now(), request.timeZone);
  if (!checked.ok) return { kind: 'period', ...checked };
  const period: SearchedPeriod = {
    from: checked.from,
    to: checked.to,
    clamped: checked.clamped,
    start: checked.start,
    end: checked.end,
  };
  const search: CallRecordSearch = { scope: request.scope, from: checked.start, to: checked.end };
  const { by, output } = request;
  const total =
    by === 'call'
      ? await countCallRecords(deps.db, search)
      : await countCallDestinations(deps.db, search);
  const limit = checkOutputLimit(total, output, by);
  if (!limit.ok) return { kind: 'limit', total, ...limit };

  switch (output) {
    case 'screen': {
      const pageSize = Math.min(request.pageSize ?? SCREEN_PAGE_SIZE, OUTPUT_LIMITS.screen);
      const page = Math.max(1, Math.floor(request.page ?? 1));
      const common = { ok: true, output, period, total, page, pageSize } as const;
      const query = { ...search, limit: pageSize, offset: (page - 1) * pageSize };
      return by === 'call'
        ? { ...common, by, rows: await searchCallRecords(deps.db, query) }
        : { ...common, by, rows: await searchCallDestinations(deps.db, query) };
    }
    case 'csv': {
      const parts: string[] = [];
      for await (const rows of csvPages(deps.db, search, by, request.timeZone, OUTPUT_LIMITS.csv)) {
        parts.push(usageCsv(by, rows, parts.length === 0));
      }
      const fileName = `usage-${by}-${period.from.slice(0, 10)}-${period.to.slice(0, 10)}.csv`;
      return { ok: true, output, by, period, total, fileName, csv: parts.join('') };
    }
    case 'bulk': {
      const { job, done } = await startBulkExport(deps, {
        requestedBy: request.requestedBy,
        search,
        by,
        timeZone: request.timeZone,
        period: { from: period.from, to: period.to },
      });
      return { ok: true, output, by, period, total, job, done };
    }
  }
}
