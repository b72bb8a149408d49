import type { Executor } from '../executor.ts';
import type { SettingHistoryRow } from '../tables/setting-history.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** SPEC §4: setting history is kept 180 days. */
export const settingHistoryRetentionDays = 180;

/** One change, as the application writes it; `before`/`after` are any JSON value. */
export interface SettingChange {
  numberId?: number | null;
  siteId?: number | null;
  voiceGroupId?: number | null;
  actor: string;
  feature: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface SettingHistoryEntry {
  id: number;
  numberId: number | null;
  siteId: number | null;
  voiceGroupId: number | null;
  actor: string;
  feature: string;
  action: string;
  before: unknown;
  after: unknown;
  createdAt: string;
}

export interface SettingHistoryQuery {
  numberId?: number;
  siteId?: number;
  voiceGroupId?: number;
  /** Inclusive lower bound on the change time. */
  since?: Date;
  /** Inclusive upper bound on the change time. */
  until?: Date;
  /** Newest first; default 100. */
  limit?: number;
}

/** 10 columns: 2,000 rows stay far below either dialect's bind-parameter limit. */
const CHUNK_ROWS = 2000;

const json = (value: unknown): string | null =>
  value === undefined || value === null ? null : JSON.stringify(value);

/**
 * Writes changes with multi-row INSERTs (one statement for up to 2,000 rows), all stamped
 * with `now`. Run it inside the caller's transaction to keep history with the change.
 */
export async function insertSettingHistory(
  db: Executor,
  changes: SettingChange[],
  now: Date,
): Promise<void> {
  const createdAt = toTimestamp(now);
  const rows = changes.map((c) => ({
    number_id: c.numberId ?? null,
    site_id: c.siteId ?? null,
    voice_group_id: c.voiceGroupId ?? null,
    actor: c.actor,
    feature: c.feature,
    action: c.action,
    before: json(c.before),
    after: json(c.after),
    created_at: createdAt,
  }));
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    await db
      .insertInto('setting_history')
      .values(rows.slice(i, i + CHUNK_ROWS))
      .execute();
  }
}

function fromRow(row: SettingHistoryRow): SettingHistoryEntry {
  return {
    id: row.id,
    numberId: row.number_id,
    siteId: row.site_id,
    voiceGroupId: row.voice_group_id,
    actor: row.actor,
    feature: row.feature,
    action: row.action,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    createdAt: row.created_at,
  };
}

/** Newest first (ties by id), filtered by whichever scope is given. */
export async function listSettingHistory(
  db: Executor,
  query: SettingHistoryQuery,
): Promise<SettingHistoryEntry[]> {
  let q = db.selectFrom('setting_history').selectAll();
  if (query.numberId !== undefined) q = q.where('number_id', '=', query.numberId);
  if (query.siteId !== undefined) q = q.where('site_id', '=', query.siteId);
  if (query.voiceGroupId !== undefined) q = q.where('voice_group_id', '=', query.voiceGroupId);
  if (query.since !== undefined) q = q.where('created_at', '>=', toTimestamp(query.since));
  if (query.until !== undefined) q = q.where('created_at', '<=', toTimestamp(query.until));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit ?? 100)
    .execute();
  return rows.map(fromRow);
}

/** SPEC §4: drops history older than the retention period; returns how many rows went. */
export async function pruneSettingHistory(db: Executor, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - settingHistoryRetentionDays * 24 * 60 * 60 * 1000);
  const result = await db
    .deleteFrom('setting_history')
    .where('created_at', '<', toTimestamp(cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
