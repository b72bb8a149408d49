import {
  type Database,
  type ForwardingSetting,
  type Kysely,
  toTimestamp,
  upsertAccessLine,
  upsertBulkForwardingGroup,
  upsertSite,
  upsertVoiceGroup,
} from '@ipvoice/db';

export const now = new Date('2025-11-23T09:00:00.000Z');

/** Forwards on no answer to slot 1 and holds a bulk target in slot 5. */
export const ownWithSlot5 = (slot5: string | null): ForwardingSetting => ({
  enabled: true,
  unconditional: false,
  onBusy: false,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 15,
  activeTarget: 'slot1',
  slots: ['0311112222', null, null, null, slot5],
});

export const memberNumber = (i: number) => `03${String(5000_0000 + i)}`;
export const slot5Target = (i: number) => `0901${String(i).padStart(7, '0')}`;

export interface SeededGroup {
  groupId: number;
  siteId: number;
  voiceGroupId: number;
  /** Member numbers, sorted, with their ids. */
  members: Array<{ id: number; number: string }>;
}

/**
 * A site with a bulk-forwarding group of `size` members, written with multi-row inserts.
 * Every member forwards on no answer to slot 1 and has a slot-5 target, except the numbers
 * listed in `withoutSlot5` (indexes), which have no slot 5.
 */
export async function seedGroup(
  db: Kysely<Database>,
  size: number,
  options: { withoutSlot5?: number[]; name?: string } = {},
): Promise<SeededGroup> {
  const voiceGroup = (await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo' }, now)).row;
  const site = (
    await upsertSite(db, { code: '1000001', voice_group_id: voiceGroup.id, name: 'HQ' }, now)
  ).row;
  const line = (
    await upsertAccessLine(db, { code: 'N000000001', site_id: site.id, channels: 10 }, now)
  ).row;
  const at = toTimestamp(now);
  const numbers =
    size === 0
      ? []
      : await db
          .insertInto('numbers')
          .values(
            Array.from({ length: size }, (_, i) => ({
              number: memberNumber(i),
              kind: 'base' as const,
              access_line_id: line.id,
              created_at: at,
              updated_at: at,
            })),
          )
          .returning(['id', 'number'])
          .execute();
  const without = new Set(options.withoutSlot5 ?? []);
  const settings = numbers.map((n, i) => {
    const s = ownWithSlot5(without.has(i) ? null : slot5Target(i));
    return {
      number_id: n.id,
      enabled: 1 as const,
      unconditional: 0 as const,
      on_busy: 0 as const,
      on_no_answer: 1 as const,
      on_unreachable: 0 as const,
      ring_time_seconds: s.ringTimeSeconds,
      active_target: s.activeTarget,
      slot1: s.slots[0],
      slot2: null,
      slot3: null,
      slot4: null,
      slot5: s.slots[4],
      created_at: at,
      updated_at: at,
    };
  });
  if (settings.length > 0) await db.insertInto('forwarding_settings').values(settings).execute();
  const name = options.name ?? 'disaster';
  await upsertBulkForwardingGroup(
    db,
    { siteId: site.id, name, memberNumberIds: numbers.map((n) => n.id) },
    now,
  );
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return {
    groupId: group.id,
    siteId: site.id,
    voiceGroupId: voiceGroup.id,
    members: [...numbers].sort((a, b) => a.number.localeCompare(b.number)),
  };
}
