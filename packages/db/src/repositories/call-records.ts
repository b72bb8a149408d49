import type { Executor } from '../executor.ts';
import type { CallRecord, NewCallRecord } from '../tables/call-record.table.ts';

/** Chunk sizes, largest first. 500 rows × 19 columns stays far below SQLite's 32,766 and
 * PostgreSQL's 65,535 bind parameters per statement. */
const CHUNK_SIZES = [500, 100, 20, 5, 1];

/** Every column spelled out, in one order: rows that omit different optional columns
 * still compile to the same SQL text, which SQLite's statement cache can reuse. */
function complete(r: NewCallRecord): NewCallRecord {
  return {
    call_id: r.call_id,
    server_id: r.server_id,
    number_id: r.number_id ?? null,
    access_line_code: r.access_line_code ?? null,
    direction: r.direction,
    caller: r.caller ?? null,
    caller_anonymity: r.caller_anonymity ?? null,
    called: r.called,
    started_at: r.started_at,
    answered_at: r.answered_at ?? null,
    ended_at: r.ended_at,
    ring_seconds: r.ring_seconds ?? null,
    outcome: r.outcome,
    outcome_reason: r.outcome_reason ?? null,
    forwarded_to: r.forwarded_to ?? null,
    failure_code: r.failure_code ?? null,
    hunt_member: r.hunt_member ?? null,
    rate_band: r.rate_band,
  };
}

/**
 * Writes call records with multi-row INSERTs of at most 500 rows. Several chunks go in one
 * transaction, so a failed call leaves nothing behind and the caller can retry the whole
 * list without duplicating rows.
 */
export async function insertCallRecords(db: Executor, records: NewCallRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(complete);
  const insertAll = async (tx: Executor) => {
    // Chunks of a few fixed sizes only: each row count is its own SQL text, and a prepared
    // statement per batch size would churn the SQLite statement cache.
    let i = 0;
    while (i < rows.length) {
      const size = CHUNK_SIZES.find((n) => n <= rows.length - i) ?? 1;
      await tx
        .insertInto('call_records')
        .values(rows.slice(i, i + size))
        .execute();
      i += size;
    }
  };
  if (rows.length <= 1 || db.isTransaction) await insertAll(db);
  else await db.transaction().execute(insertAll);
}

export interface CallRecordFilter {
  callId?: string;
  numberId?: number;
  /** Inclusive start of `started_at`, ISO 8601 UTC. */
  from?: string;
  /** Exclusive end of `started_at`, ISO 8601 UTC. */
  to?: string;
  limit?: number;
}

/** Call records in the order they started (id breaks ties). */
export async function listCallRecords(
  db: Executor,
  filter: CallRecordFilter = {},
): Promise<CallRecord[]> {
  let query = db.selectFrom('call_records').selectAll();
  if (filter.callId !== undefined) query = query.where('call_id', '=', filter.callId);
  if (filter.numberId !== undefined) query = query.where('number_id', '=', filter.numberId);
  if (filter.from !== undefined) query = query.where('started_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('started_at', '<', filter.to);
  query = query.orderBy('started_at').orderBy('id');
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return query.execute();
}
