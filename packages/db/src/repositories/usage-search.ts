// SPEC §3.13 usage search: the call records of a scope in a period, by call or by
// destination. Paged by keyset as well as by offset, so an export walks 100,000 rows in
// pages without the database re-reading every earlier page.
import { type ExpressionBuilder, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database.ts';
import type { Executor } from '../executor.ts';
import type { CallRecord } from '../tables/call-record.table.ts';

/**
 * Whose records: those of any listed number or any listed access line (by code, which
 * outlives a deleted number). The caller resolves a site or a voice group to these; an
 * empty scope matches nothing rather than everything.
 */
export interface CallRecordScope {
  numberIds?: readonly number[];
  accessLineCodes?: readonly string[];
}

export interface CallRecordSearch {
  scope: CallRecordScope;
  /** Inclusive start of `started_at`, ISO 8601 UTC. */
  from: string;
  /** Exclusive end of `started_at`, ISO 8601 UTC. */
  to: string;
}

/** Where the previous page of calls ended. */
export interface CallRecordCursor {
  startedAt: string;
  id: number;
}

export interface CallRecordPage extends CallRecordSearch {
  limit: number;
  /** Rows to skip (on-screen pages), or … */
  offset?: number;
  /** … the last row already read (exports): cheap however deep the page. */
  after?: CallRecordCursor;
}

/** A usage row by call: the record and the seconds it was connected. */
export interface CallUsage extends CallRecord {
  /** Seconds from answer to end, to the millisecond; null for a call never answered. */
  talk_seconds: number | null;
}

/** A usage row by destination: the calls to one dialled number, overall and per rate band. */
export interface DestinationUsage {
  called: string;
  calls: number;
  answered: number;
  talk_seconds: number;
  normal_calls: number;
  normal_talk_seconds: number;
  night_calls: number;
  night_talk_seconds: number;
  holiday_calls: number;
  holiday_talk_seconds: number;
}

export interface DestinationPage extends CallRecordSearch {
  limit: number;
  offset?: number;
  /** The last destination already read. */
  after?: string;
}

type Eb = ExpressionBuilder<Database, 'call_records'>;

/** Scope and period; the (number_id, started_at) and (access_line_code, started_at) indexes
 * of the call-records migration serve each side of the OR. */
function inSearch(search: CallRecordSearch) {
  return (eb: Eb) => {
    const numberIds = search.scope.numberIds ?? [];
    const codes = search.scope.accessLineCodes ?? [];
    const owners = [];
    if (numberIds.length > 0) owners.push(eb('number_id', 'in', numberIds));
    if (codes.length > 0) owners.push(eb('access_line_code', 'in', codes));
    if (owners.length === 0) return sql<boolean>`1 = 0`;
    return eb.and([
      eb.or(owners),
      eb('started_at', '>=', search.from),
      eb('started_at', '<', search.to),
    ]);
  };
}

function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Seconds from answer to end in SQL; timestamps are ISO 8601 text in both dialects. */
function talkSeconds(db: Executor): RawBuilder<number | null> {
  return isPostgres(db)
    ? sql<
        number | null
      >`extract(epoch from (ended_at::timestamptz - answered_at::timestamptz))::double precision`
    : sql<number | null>`(julianday(ended_at) - julianday(answered_at)) * 86400.0`;
}

/** Rounded to the millisecond: the text timestamps carry no more, the float arithmetic does. */
function toMillis(seconds: number | string | null): number {
  return Math.round(Number(seconds ?? 0) * 1000) / 1000;
}

/** How many calls the search finds (the output limits of SPEC §3.13 are checked on it). */
export async function countCallRecords(db: Executor, search: CallRecordSearch): Promise<number> {
  const row = await db
    .selectFrom('call_records')
    .select((eb) => eb.fn.countAll().as('count'))
    .where(inSearch(search))
    .executeTakeFirstOrThrow();
  // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
  return Number(row.count);
}

/** One page of calls, in the order they started (id breaks ties). */
export async function searchCallRecords(db: Executor, page: CallRecordPage): Promise<CallUsage[]> {
  let query = db.selectFrom('call_records').selectAll().where(inSearch(page));
  const after = page.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('started_at', '>', after.startedAt),
        eb.and([eb('started_at', '=', after.startedAt), eb('id', '>', after.id)]),
      ]),
    );
  }
  query = query.orderBy('started_at').orderBy('id').limit(page.limit);
  if (page.offset !== undefined && page.offset > 0) query = query.offset(page.offset);
  const rows = await query.execute();
  return rows.map((row) => ({
    ...row,
    talk_seconds:
      row.answered_at === null
        ? null
        : toMillis((Date.parse(row.ended_at) - Date.parse(row.answered_at)) / 1000),
  }));
}

/** How many destinations (distinct dialled numbers) the search finds. */
export async function countCallDestinations(
  db: Executor,
  search: CallRecordSearch,
): Promise<number> {
  const row = await db
    .selectFrom('call_records')
    .select((eb) => eb.fn.count('called').distinct().as('count'))
    .where(inSearch(search))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** One page of destinations, ordered by the dialled number. */
export async function searchCallDestinations(
  db: Executor,
  page: DestinationPage,
): Promise<DestinationUsage[]> {
  const talk = talkSeconds(db);
  const band = (name: 'normal' | 'night' | 'holiday') => ({
    calls: sql<number | string>`sum(case when rate_band = ${name} then 1 else 0 end)`,
    talk: sql<
      number | string | null
    >`sum(case when rate_band = ${name} and answered_at is not null then ${talk} else 0 end)`,
  });
  const normal = band('normal');
  const night = band('night');
  const holiday = band('holiday');
  let query = db
    .selectFrom('call_records')
    .select((eb) => [
      'called',
      eb.fn.countAll().as('calls'),
      eb.fn.count('answered_at').as('answered'),
      sql<number | string | null>`sum(${talk})`.as('talk_seconds'),
      normal.calls.as('normal_calls'),
      normal.talk.as('normal_talk_seconds'),
      night.calls.as('night_calls'),
      night.talk.as('night_talk_seconds'),
      holiday.calls.as('holiday_calls'),
      holiday.talk.as('holiday_talk_seconds'),
    ])
    .where(inSearch(page));
  if (page.after !== undefined) query = query.where('called', '>', page.after);
  query = query.groupBy('called').orderBy('called').limit(page.limit);
  if (page.offset !== undefined && page.offset > 0) query = query.offset(page.offset);
  const rows = await query.execute();
  return rows.map((row) => ({
    called: row.called,
    calls: Number(row.calls),
    answered: Number(row.answered),
    talk_seconds: toMillis(row.talk_seconds),
    normal_calls: Number(row.normal_calls),
    normal_talk_seconds: toMillis(row.normal_talk_seconds),
    night_calls: Number(row.night_calls),
    night_talk_seconds: toMillis(row.night_talk_seconds),
    holiday_calls: Number(row.holiday_calls),
    holiday_talk_seconds: toMillis(row.holiday_talk_seconds),
  }));
}
