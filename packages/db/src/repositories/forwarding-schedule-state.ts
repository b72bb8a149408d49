import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import type { ForwardingScheduleStateRow } from '../tables/forwarding-schedule-state.table.ts';
import { toTimestamp } from '../timestamp.ts';
import { forwardingSettingFromColumns } from './forwarding.ts';
import type { DayOfWeek, ForwardingSetting } from './forwarding.ts';

/** SPEC §3.2: the pattern the schedule has switched a number to. */
export interface ForwardingScheduleState {
  numberId: number;
  entryId: number | null;
  patternId: number | null;
  switchedAt: string;
  appliedBy: string;
}

export interface ScheduleSwitch {
  numberId: number;
  entryId: number | null;
  patternId: number | null;
  /** The server or scheduler instance applying the switch. */
  appliedBy: string;
}

function fromRow(row: ForwardingScheduleStateRow): ForwardingScheduleState {
  return {
    numberId: row.number_id,
    entryId: row.entry_id,
    patternId: row.pattern_id,
    switchedAt: row.switched_at,
    appliedBy: row.applied_by,
  };
}

export async function findForwardingScheduleState(
  db: Executor,
  numberId: number,
): Promise<ForwardingScheduleState | undefined> {
  const row = await db
    .selectFrom('forwarding_schedule_state')
    .selectAll()
    .where('number_id', '=', numberId)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

/**
 * Records that the schedule switched a number to `patternId`, in one statement that writes
 * only when the stored pattern differs. True when it wrote: of two schedulers applying the
 * same switch at once exactly one sees true, and a catch-up run after a restart sees false
 * for every switch already applied.
 */
export async function setForwardingScheduleState(
  db: Executor,
  change: ScheduleSwitch,
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('forwarding_schedule_state')
    .values({
      number_id: change.numberId,
      entry_id: change.entryId,
      pattern_id: change.patternId,
      switched_at: toTimestamp(now),
      applied_by: change.appliedBy,
    })
    .onConflict((oc) =>
      oc
        .column('number_id')
        .doUpdateSet({
          entry_id: (eb) => eb.ref('excluded.entry_id'),
          pattern_id: (eb) => eb.ref('excluded.pattern_id'),
          switched_at: (eb) => eb.ref('excluded.switched_at'),
          applied_by: (eb) => eb.ref('excluded.applied_by'),
        })
        .where(
          sql<boolean>`forwarding_schedule_state.pattern_id IS DISTINCT FROM excluded.pattern_id`,
        ),
    )
    .returning('number_id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface ScheduledEntry {
  id: number;
  days: DayOfWeek[];
  /** HH:MM in the voice group's time zone. */
  startTime: string;
  patternId: number;
}

export interface ScheduledPattern {
  id: number;
  name: string;
  setting: ForwardingSetting;
}

/** Everything a scheduler needs about one number with a schedule. */
export interface ScheduledNumber {
  numberId: number;
  number: string;
  siteId: number;
  voiceGroupId: number;
  /** IANA zone of the voice group (SPEC §3.2, default Asia/Tokyo). */
  timeZone: string;
  /** In insertion order. */
  entries: ScheduledEntry[];
  patterns: ScheduledPattern[];
  state: ForwardingScheduleState | undefined;
}

/**
 * Every number with at least one schedule entry, with its time zone, entries, patterns and
 * the switch last applied. Three queries whatever the count, ordered by number id.
 */
export async function listForwardingSchedules(db: Executor): Promise<ScheduledNumber[]> {
  const entries = await db
    .selectFrom('forwarding_schedule_entries as e')
    .innerJoin('numbers as n', 'n.id', 'e.number_id')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .innerJoin('sites as s', 's.id', 'a.site_id')
    .innerJoin('voice_groups as g', 'g.id', 's.voice_group_id')
    .leftJoin('forwarding_schedule_state as st', 'st.number_id', 'e.number_id')
    .select([
      'e.id',
      'e.number_id',
      'e.days',
      'e.start_time',
      'e.pattern_id',
      'n.number',
      's.id as site_id',
      'g.id as voice_group_id',
      'g.time_zone',
      'st.entry_id as state_entry_id',
      'st.pattern_id as state_pattern_id',
      'st.switched_at as state_switched_at',
      'st.applied_by as state_applied_by',
    ])
    .orderBy('e.number_id')
    .orderBy('e.id')
    .execute();
  if (entries.length === 0) return [];
  const patterns = await db
    .selectFrom('forwarding_patterns')
    .selectAll()
    .where('number_id', 'in', (eb) =>
      eb.selectFrom('forwarding_schedule_entries').select('number_id'),
    )
    .orderBy('number_id')
    .orderBy('name')
    .execute();
  const byNumber = new Map<number, ScheduledNumber>();
  for (const e of entries) {
    let scheduled = byNumber.get(e.number_id);
    if (scheduled === undefined) {
      scheduled = {
        numberId: e.number_id,
        number: e.number,
        siteId: e.site_id,
        voiceGroupId: e.voice_group_id,
        timeZone: e.time_zone,
        entries: [],
        patterns: [],
        state:
          e.state_switched_at === null || e.state_applied_by === null
            ? undefined
            : {
                numberId: e.number_id,
                entryId: e.state_entry_id,
                patternId: e.state_pattern_id,
                switchedAt: e.state_switched_at,
                appliedBy: e.state_applied_by,
              },
      };
      byNumber.set(e.number_id, scheduled);
    }
    scheduled.entries.push({
      id: e.id,
      days: e.days.split(',') as DayOfWeek[],
      startTime: e.start_time,
      patternId: e.pattern_id,
    });
  }
  for (const p of patterns) {
    byNumber
      .get(p.number_id)
      ?.patterns.push({ id: p.id, name: p.name, setting: forwardingSettingFromColumns(p) });
  }
  return [...byNumber.values()];
}
