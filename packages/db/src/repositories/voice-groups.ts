import { type Executor, type Upserted, sameValues } from '../executor.ts';
import type { VoiceGroup } from '../tables/voice-group.table.ts';
import { toTimestamp } from '../timestamp.ts';

export interface VoiceGroupInput {
  code: string;
  name: string;
  time_zone?: string;
}

export async function findVoiceGroupByCode(
  db: Executor,
  code: string,
): Promise<VoiceGroup | undefined> {
  return db.selectFrom('voice_groups').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Creates or updates the voice group named by `code`. */
export async function upsertVoiceGroup(
  db: Executor,
  input: VoiceGroupInput,
  now: Date,
): Promise<Upserted<VoiceGroup>> {
  const current = await findVoiceGroupByCode(db, input.code);
  if (current === undefined) {
    const row = await db
      .insertInto('voice_groups')
      .values({ ...input, created_at: toTimestamp(now), updated_at: toTimestamp(now) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, outcome: 'created' };
  }
  if (sameValues(current, input)) return { row: current, outcome: 'unchanged' };
  const row = await db
    .updateTable('voice_groups')
    .set({ ...input, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, outcome: 'updated' };
}
