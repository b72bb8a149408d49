import { type Executor, type Upserted, sameValues } from '../executor.ts';
import type { AccessLine } from '../tables/access-line.table.ts';
import { toTimestamp } from '../timestamp.ts';

export interface AccessLineInput {
  code: string;
  site_id: number;
  channels: number;
}

export async function findAccessLineByCode(
  db: Executor,
  code: string,
): Promise<AccessLine | undefined> {
  return db.selectFrom('access_lines').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findAccessLineById(
  db: Executor,
  id: number,
): Promise<AccessLine | undefined> {
  return db.selectFrom('access_lines').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Creates or updates the access line named by `code`. */
export async function upsertAccessLine(
  db: Executor,
  input: AccessLineInput,
  now: Date,
): Promise<Upserted<AccessLine>> {
  const current = await findAccessLineByCode(db, input.code);
  if (current === undefined) {
    const row = await db
      .insertInto('access_lines')
      .values({ ...input, created_at: toTimestamp(now), updated_at: toTimestamp(now) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, outcome: 'created' };
  }
  if (sameValues(current, input)) return { row: current, outcome: 'unchanged' };
  const row = await db
    .updateTable('access_lines')
    .set({ ...input, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, outcome: 'updated' };
}
