import { type Executor, type Upserted, sameValues } from '../executor.ts';
import type { NumberKind, PhoneNumber } from '../tables/number.table.ts';
import { toTimestamp } from '../timestamp.ts';

export type NumberInput =
  | { number: string; kind: 'base'; access_line_id: number }
  | { number: string; kind: 'dial_in'; access_line_id: number; base_number_id: number };

/** A number with everything above it in the subscriber model (SPEC §2). */
export interface NumberFacts {
  id: number;
  number: string;
  kind: NumberKind;
  baseNumberId: number | null;
  accessLineId: number;
  accessLineCode: string;
  channels: number;
  siteId: number;
  siteCode: string;
  voiceGroupId: number;
  voiceGroupCode: string;
  timeZone: string;
}

export async function findNumberRow(
  db: Executor,
  number: string,
): Promise<PhoneNumber | undefined> {
  return db.selectFrom('numbers').selectAll().where('number', '=', number).executeTakeFirst();
}

/** Looks a number up by its national digits, with its access line, site and voice group. */
export async function findNumber(db: Executor, number: string): Promise<NumberFacts | undefined> {
  return db
    .selectFrom('numbers as n')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .innerJoin('sites as s', 's.id', 'a.site_id')
    .innerJoin('voice_groups as v', 'v.id', 's.voice_group_id')
    .select([
      'n.id',
      'n.number',
      'n.kind',
      'n.base_number_id as baseNumberId',
      'a.id as accessLineId',
      'a.code as accessLineCode',
      'a.channels',
      's.id as siteId',
      's.code as siteCode',
      'v.id as voiceGroupId',
      'v.code as voiceGroupCode',
      'v.time_zone as timeZone',
    ])
    .where('n.number', '=', number)
    .executeTakeFirst();
}

/** The dial-in numbers delivered to a base number's devices. */
export async function listDialIns(db: Executor, baseNumberId: number): Promise<PhoneNumber[]> {
  return db
    .selectFrom('numbers')
    .selectAll()
    .where('base_number_id', '=', baseNumberId)
    .orderBy('number')
    .execute();
}

/** Creates or updates the number; the database refuses a dial-in off another line's base. */
export async function upsertNumber(
  db: Executor,
  input: NumberInput,
  now: Date,
): Promise<Upserted<PhoneNumber>> {
  const values = {
    number: input.number,
    kind: input.kind,
    access_line_id: input.access_line_id,
    base_number_id: input.kind === 'dial_in' ? input.base_number_id : null,
    base_number_kind: input.kind === 'dial_in' ? ('base' as const) : null,
  };
  const current = await findNumberRow(db, input.number);
  if (current === undefined) {
    const row = await db
      .insertInto('numbers')
      .values({ ...values, created_at: toTimestamp(now), updated_at: toTimestamp(now) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, outcome: 'created' };
  }
  if (sameValues(current, values) && current.base_number_id === values.base_number_id) {
    return { row: current, outcome: 'unchanged' };
  }
  const row = await db
    .updateTable('numbers')
    .set({ ...values, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, outcome: 'updated' };
}
