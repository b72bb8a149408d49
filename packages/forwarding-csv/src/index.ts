export type { ForwardingCsvDeps, Logger } from './deps.ts';
export {
  ForwardingCsvError,
  ForwardingCsvFormatError,
  ForwardingCsvConflictError,
  type SiteOperation,
  type SiteOperationHolder,
} from './errors.ts';
export {
  forwardingCsvColumns,
  japaneseColumnNames,
  defaultRingTimeSeconds,
  formatMessages,
  type ForwardingCsvColumn,
  type HeaderLanguage,
} from './format.ts';
export { decodeCsv, type CsvEncoding } from './decode.ts';
export {
  exportForwardingCsv,
  downloadForwardingCsv,
  type ExportOptions,
} from './export-forwarding-csv.ts';
export {
  importForwardingCsv,
  csvUploadHistory,
  uploadMessages,
  type ImportOptions,
  type ImportResult,
} from './import-forwarding-csv.ts';
export { uploadResultCsv, type UploadRowResult } from './result-csv.ts';
export {
  siteOperationLock,
  defaultSiteLockTtlMs,
  claimSites,
  siteOperationHolder,
  assertForwardingEditAllowed,
  type SiteOperationClaim,
  type SiteLockState,
} from './site-lock.ts';
