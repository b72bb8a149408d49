// The administrator's view of a site's groups (SPEC §3.3 bulk forwarding, §3.5 hunt groups):
// list, edit by id and delete. Creation rules live beside each group's upsert.
import type { Executor } from '../executor.ts';
import type { BulkForwardingGroup } from '../tables/bulk-forwarding-group.table.ts';
import { toTimestamp } from '../timestamp.ts';
import { groupMembers, writeGroupMembers } from './bulk-forwarding.ts';

/** A site's bulk-forwarding groups by name, each with its member count. */
export async function listBulkForwardingGroupsOfSite(
  db: Executor,
  siteId: number,
): Promise<Array<BulkForwardingGroup & { memberCount: number }>> {
  const rows = await db
    .selectFrom('bulk_forwarding_groups as g')
    .leftJoin('bulk_forwarding_members as m', 'm.group_id', 'g.id')
    .selectAll('g')
    .select((eb) => eb.fn.count<number | string>('m.number_id').as('member_count'))
    .where('g.site_id', '=', siteId)
    .groupBy(['g.id', 'g.site_id', 'g.name', 'g.state', 'g.created_at', 'g.updated_at'])
    .orderBy('g.name')
    .execute();
  return rows.map(({ member_count, ...g }) => ({ ...g, memberCount: Number(member_count) }));
}

/** The number ids of `numbers` that lie on the site, by number; missing ones are absent. */
export async function findSiteNumberIds(
  db: Executor,
  siteId: number,
  numbers: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < numbers.length; i += 1000) {
    const rows = await db
      .selectFrom('numbers as n')
      .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
      .select(['n.id', 'n.number'])
      .where('a.site_id', '=', siteId)
      .where('n.number', 'in', numbers.slice(i, i + 1000))
      .execute();
    for (const r of rows) found.set(r.number, r.id);
  }
  return found;
}

/** Every number id of a site (the scope of its CSV files). */
export async function listSiteNumberIds(db: Executor, siteId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('numbers as n')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .select('n.id')
    .where('a.site_id', '=', siteId)
    .orderBy('n.id')
    .execute();
  return rows.map((r) => r.id);
}

export type GroupEditOutcome = 'done' | 'missing' | 'busy';

/**
 * SPEC §3.3: renames the group and replaces its members, unless it is starting or stopping
 * ('busy': the check and the write are one conditional UPDATE, so a start cannot slip in).
 * Members must be numbers of the group's site (BulkForwardingRuleError).
 */
export async function replaceBulkForwardingGroup(
  db: Executor,
  groupId: number,
  input: { name: string; memberNumberIds: number[] },
  now: Date,
): Promise<GroupEditOutcome> {
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .select(['site_id'])
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (group === undefined) return 'missing';
  const wanted = await groupMembers(db, input.memberNumberIds, group.site_id);
  const updated = await db
    .updateTable('bulk_forwarding_groups')
    .set({ name: input.name, updated_at: toTimestamp(now) })
    .where('id', '=', groupId)
    .where('state', 'in', ['stopped', 'started'])
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return 'busy';
  await writeGroupMembers(db, groupId, wanted);
  return 'done';
}

/** Deletes the group unless it is starting or stopping. */
export async function deleteBulkForwardingGroup(
  db: Executor,
  groupId: number,
): Promise<GroupEditOutcome> {
  const deleted = await db
    .deleteFrom('bulk_forwarding_groups')
    .where('id', '=', groupId)
    .where('state', 'in', ['stopped', 'started'])
    .executeTakeFirst();
  if (deleted.numDeletedRows > 0n) return 'done';
  const still = await db
    .selectFrom('bulk_forwarding_groups')
    .select('id')
    .where('id', '=', groupId)
    .executeTakeFirst();
  return still === undefined ? 'missing' : 'busy';
}

/** The pilot numbers of a site's hunt groups, in number order. */
export async function listHuntGroupPilotsOfSite(db: Executor, siteId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('hunt_groups as g')
    .innerJoin('numbers as p', 'p.id', 'g.pilot_number_id')
    .innerJoin('access_lines as a', 'a.id', 'p.access_line_id')
    .select('p.number')
    .where('a.site_id', '=', siteId)
    .orderBy('p.number')
    .execute();
  return rows.map((r) => r.number);
}

/** Deletes the hunt group piloted by the number; false when there is none. */
export async function deleteHuntGroup(db: Executor, pilotNumberId: number): Promise<boolean> {
  const deleted = await db
    .deleteFrom('hunt_groups')
    .where('pilot_number_id', '=', pilotNumberId)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
