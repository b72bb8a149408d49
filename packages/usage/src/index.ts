// @ipvoice/usage: SPEC §3.13 usage search and its outputs, for the REST API.
export * from './output-limits.ts';
export * from './usage-csv.ts';
export * from './usage-export.table.ts';
export * from './bulk-export.ts';
export * from './usage-search.ts';
export { PAGE_SIZE } from './usage-pages.ts';
