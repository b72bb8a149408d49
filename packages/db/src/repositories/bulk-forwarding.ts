import type { Executor, UpsertOutcome } from '../executor.ts';
import type { BulkForwardingGroup } from '../tables/bulk-forwarding-group.table.ts';
import { toTimestamp } from '../timestamp.ts';

export class BulkForwardingRuleError extends Error {
  override readonly name = 'BulkForwardingRuleError';
}

/** SPEC §3.3: at most 1,000 members per group. */
export const maxBulkForwardingMembers = 1000;

export interface BulkForwardingGroupInput {
  siteId: number;
  name: string;
  memberNumberIds: number[];
}

export async function findBulkForwardingGroup(
  db: Executor,
  siteId: number,
  name: string,
): Promise<(BulkForwardingGroup & { memberNumberIds: number[] }) | undefined> {
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (group === undefined) return undefined;
  const members = await db
    .selectFrom('bulk_forwarding_members')
    .select('number_id')
    .where('group_id', '=', group.id)
    .orderBy('number_id')
    .execute();
  return { ...group, memberNumberIds: members.map((m) => m.number_id) };
}

/** Creates the group or replaces its members; its run state is left to start/stop. */
export async function upsertBulkForwardingGroup(
  db: Executor,
  input: BulkForwardingGroupInput,
  now: Date,
): Promise<UpsertOutcome> {
  const wanted = await groupMembers(db, input.memberNumberIds, input.siteId);
  const current = await findBulkForwardingGroup(db, input.siteId, input.name);
  let groupId: number;
  if (current === undefined) {
    const row = await db
      .insertInto('bulk_forwarding_groups')
      .values({
        site_id: input.siteId,
        name: input.name,
        created_at: toTimestamp(now),
        updated_at: toTimestamp(now),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    groupId = row.id;
  } else {
    if (current.memberNumberIds.join() === wanted.join()) return 'unchanged';
    groupId = current.id;
    await db
      .updateTable('bulk_forwarding_groups')
      .set({ updated_at: toTimestamp(now) })
      .where('id', '=', groupId)
      .execute();
  }
  await writeGroupMembers(db, groupId, wanted);
  return current === undefined ? 'created' : 'updated';
}

/**
 * SPEC §3.3: a group's members as stored — each once, in id order — refused when there are
 * more than 1,000 or one is not a number of the group's site (BulkForwardingRuleError).
 */
export async function groupMembers(
  db: Executor,
  memberNumberIds: readonly number[],
  siteId: number,
): Promise<number[]> {
  const wanted = [...new Set(memberNumberIds)].sort((a, b) => a - b);
  if (wanted.length > maxBulkForwardingMembers) {
    throw new BulkForwardingRuleError(
      `a bulk-forwarding group holds at most ${maxBulkForwardingMembers} numbers`,
    );
  }
  if (wanted.length > 0) {
    const outside = await db
      .selectFrom('numbers as n')
      .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
      .select('n.number')
      .where('n.id', 'in', wanted)
      .where('a.site_id', '<>', siteId)
      .executeTakeFirst();
    if (outside !== undefined)
      throw new BulkForwardingRuleError(`${outside.number} is not a number of the group's site`);
  }
  return wanted;
}

/** Replaces the group's members with `members` (from `groupMembers`). */
export async function writeGroupMembers(
  db: Executor,
  groupId: number,
  members: readonly number[],
): Promise<void> {
  await db.deleteFrom('bulk_forwarding_members').where('group_id', '=', groupId).execute();
  // 500 rows of 2 parameters stay far below either dialect's bind-parameter limit.
  for (let i = 0; i < members.length; i += 500) {
    await db
      .insertInto('bulk_forwarding_members')
      .values(
        members.slice(i, i + 500).map((numberId) => ({ group_id: groupId, number_id: numberId })),
      )
      .execute();
  }
}
