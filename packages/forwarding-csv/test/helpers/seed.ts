import {
  type Database,
  type ForwardingSetting,
  type Kysely,
  replaceSubscriptions,
  upsertAccessLine,
  upsertForwardingSetting,
  upsertNumber,
  upsertNumberSetting,
  upsertSite,
  upsertVoiceGroup,
} from '@ipvoice/db';

export const now = new Date('2025-11-23T09:00:00.000Z');

export const noAnswerToSlot1: ForwardingSetting = {
  enabled: true,
  unconditional: false,
  onBusy: false,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 15,
  activeTarget: 'slot1',
  slots: ['0311112222', null, null, null, null],
};

export interface Seeded {
  siteId: number;
  otherSiteId: number;
  voiceGroupId: number;
  /** By number: its id. */
  ids: Record<string, number>;
}

/**
 * One voice group with two sites. Site HQ (line 1, bulk forwarding subscribed on line 2):
 * 0312340001 (no-answer to slot 1, voicemail subscribed), 0312340002 (no setting),
 * 0312340003 (forward to a special number), 0312340004 (on the bulk-forwarding line, slot 5
 * set), 0312340005 (international barring on). Site Branch: 0612340001.
 */
export async function seed(db: Kysely<Database>): Promise<Seeded> {
  const vg = (await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo' }, now)).row;
  const hq = (await upsertSite(db, { code: '1000001', voice_group_id: vg.id, name: 'HQ' }, now))
    .row;
  const branch = (
    await upsertSite(db, { code: '1000002', voice_group_id: vg.id, name: 'Branch' }, now)
  ).row;
  const line1 = (
    await upsertAccessLine(db, { code: 'N000000001', site_id: hq.id, channels: 4 }, now)
  ).row;
  const line2 = (
    await upsertAccessLine(db, { code: 'N000000002', site_id: hq.id, channels: 4 }, now)
  ).row;
  const line3 = (
    await upsertAccessLine(db, { code: 'N000000003', site_id: branch.id, channels: 4 }, now)
  ).row;
  const ids: Record<string, number> = {};
  const add = async (number: string, lineId: number) => {
    ids[number] = (
      await upsertNumber(db, { number, kind: 'base', access_line_id: lineId }, now)
    ).row.id;
    return ids[number];
  };
  const n1 = await add('0312340001', line1.id);
  await add('0312340002', line1.id);
  const n3 = await add('0312340003', line1.id);
  const n4 = await add('0312340004', line2.id);
  const n5 = await add('0312340005', line1.id);
  await add('0612340001', line3.id);
  await upsertForwardingSetting(db, n1, noAnswerToSlot1, now);
  await replaceSubscriptions(db, { numberId: n1 }, [{ feature: 'voicemail' }], now);
  await replaceSubscriptions(
    db,
    { numberId: n3 },
    [{ feature: 'special_number_forwarding', operatorNumber: '0120123456' }],
    now,
  );
  await upsertForwardingSetting(
    db,
    n4,
    { ...noAnswerToSlot1, slots: ['0311112222', null, null, null, '0922223333'] },
    now,
  );
  await replaceSubscriptions(db, { accessLineId: line2.id }, [{ feature: 'bulk_forwarding' }], now);
  await upsertNumberSetting(db, n5, 'international_barring', { enabled: true }, now);
  return { siteId: hq.id, otherSiteId: branch.id, voiceGroupId: vg.id, ids };
}
