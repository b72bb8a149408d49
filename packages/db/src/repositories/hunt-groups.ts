import type { Executor, UpsertOutcome } from '../executor.ts';
import type { HuntCallerId, HuntMode } from '../tables/hunt-group.table.ts';
import { toTimestamp } from '../timestamp.ts';

export class HuntGroupRuleError extends Error {
  override readonly name = 'HuntGroupRuleError';
}

export interface HuntGroupInput {
  pilotNumberId: number;
  mode: HuntMode;
  callerId: HuntCallerId;
  noAnswerSeconds: number | null;
  /** Members after the pilot, in hunting order. */
  memberNumberIds: number[];
}

export interface HuntGroupFacts extends HuntGroupInput {
  id: number;
  /** Member numbers in order, national digits. */
  members: string[];
  pilot: string;
}

async function siteOf(db: Executor, numberId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('numbers as n')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .select(['a.site_id', 'n.kind'])
    .where('n.id', '=', numberId)
    .executeTakeFirst();
  return row?.kind === 'base' ? row.site_id : undefined;
}

/** The hunt group a number pilots or belongs to. */
export async function findHuntGroupByNumber(
  db: Executor,
  numberId: number,
): Promise<HuntGroupFacts | undefined> {
  const membership = await db
    .selectFrom('hunt_group_members')
    .select('hunt_group_id')
    .where('number_id', '=', numberId)
    .executeTakeFirst();
  const query = db
    .selectFrom('hunt_groups as g')
    .innerJoin('numbers as p', 'p.id', 'g.pilot_number_id')
    .select([
      'g.id',
      'g.pilot_number_id',
      'g.mode',
      'g.caller_id',
      'g.no_answer_seconds',
      'p.number',
    ]);
  const group = await (
    membership === undefined
      ? query.where('g.pilot_number_id', '=', numberId)
      : query.where('g.id', '=', membership.hunt_group_id)
  ).executeTakeFirst();
  if (group === undefined) return undefined;
  const members = await db
    .selectFrom('hunt_group_members as m')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .select(['m.number_id', 'n.number'])
    .where('m.hunt_group_id', '=', group.id)
    .orderBy('m.position')
    .execute();
  return {
    id: group.id,
    pilotNumberId: group.pilot_number_id,
    pilot: group.number,
    mode: group.mode,
    callerId: group.caller_id,
    noAnswerSeconds: group.no_answer_seconds,
    memberNumberIds: members.map((m) => m.number_id),
    members: members.map((m) => m.number),
  };
}

/**
 * Creates or updates the group piloted by `pilotNumberId`, members replaced in order.
 * SPEC §3.5: members are base numbers of the pilot's site, at least one besides the pilot.
 */
export async function upsertHuntGroup(
  db: Executor,
  input: HuntGroupInput,
  now: Date,
): Promise<UpsertOutcome> {
  if (input.memberNumberIds.length === 0)
    throw new HuntGroupRuleError('a hunt group needs a member besides the pilot');
  if (
    new Set([input.pilotNumberId, ...input.memberNumberIds]).size !==
    input.memberNumberIds.length + 1
  ) {
    throw new HuntGroupRuleError('a number appears twice in the hunt group');
  }
  const site = await siteOf(db, input.pilotNumberId);
  if (site === undefined) throw new HuntGroupRuleError('the pilot must be a base number');
  for (const member of input.memberNumberIds) {
    if ((await siteOf(db, member)) !== site) {
      throw new HuntGroupRuleError('members must be base numbers of the pilot’s site');
    }
  }
  const current = await db
    .selectFrom('hunt_groups')
    .selectAll()
    .where('pilot_number_id', '=', input.pilotNumberId)
    .executeTakeFirst();
  const values = {
    mode: input.mode,
    caller_id: input.callerId,
    no_answer_seconds: input.noAnswerSeconds,
  };
  let groupId: number;
  let outcome: UpsertOutcome;
  if (current === undefined) {
    const row = await db
      .insertInto('hunt_groups')
      .values({
        ...values,
        pilot_number_id: input.pilotNumberId,
        created_at: toTimestamp(now),
        updated_at: toTimestamp(now),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    groupId = row.id;
    outcome = 'created';
  } else {
    groupId = current.id;
    const members = await db
      .selectFrom('hunt_group_members')
      .select('number_id')
      .where('hunt_group_id', '=', groupId)
      .orderBy('position')
      .execute();
    const sameMembers = members.map((m) => m.number_id).join() === input.memberNumberIds.join();
    const sameGroup =
      current.mode === values.mode &&
      current.caller_id === values.caller_id &&
      current.no_answer_seconds === values.no_answer_seconds;
    if (sameMembers && sameGroup) return 'unchanged';
    await db
      .updateTable('hunt_groups')
      .set({ ...values, updated_at: toTimestamp(now) })
      .where('id', '=', groupId)
      .execute();
    outcome = 'updated';
  }
  await db.deleteFrom('hunt_group_members').where('hunt_group_id', '=', groupId).execute();
  await db
    .insertInto('hunt_group_members')
    .values(
      input.memberNumberIds.map((numberId, i) => ({
        hunt_group_id: groupId,
        number_id: numberId,
        position: i + 1,
      })),
    )
    .execute();
  return outcome;
}
