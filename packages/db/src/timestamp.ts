/**
 * Timestamps are ISO 8601 UTC text in both dialects: they sort as text, read back
 * identically from SQLite and PostgreSQL, and are written from an injected `now`.
 */
export function toTimestamp(now: Date): string {
  return now.toISOString();
}
