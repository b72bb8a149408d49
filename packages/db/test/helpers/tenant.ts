import type { Kysely } from 'kysely';
import type { Database } from '../../src/database.ts';
import { upsertAccessLine } from '../../src/repositories/access-lines.ts';
import { upsertNumber } from '../../src/repositories/numbers.ts';
import { upsertSite } from '../../src/repositories/sites.ts';
import { upsertVoiceGroup } from '../../src/repositories/voice-groups.ts';

export const now = new Date('2025-11-23T09:00:00.000Z');

/** A voice group, a site, two access lines and two base numbers on the first line. */
export async function seedTenant(db: Kysely<Database>) {
  const group = (await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo' }, now)).row;
  const site = (
    await upsertSite(db, { code: '1000001', voice_group_id: group.id, name: 'Head office' }, now)
  ).row;
  const line = (
    await upsertAccessLine(db, { code: 'N000000001', site_id: site.id, channels: 4 }, now)
  ).row;
  const otherLine = (
    await upsertAccessLine(db, { code: 'N000000002', site_id: site.id, channels: 2 }, now)
  ).row;
  const base = (
    await upsertNumber(db, { number: '0312345678', kind: 'base', access_line_id: line.id }, now)
  ).row;
  const base2 = (
    await upsertNumber(db, { number: '05011112222', kind: 'base', access_line_id: line.id }, now)
  ).row;
  return { group, site, line, otherLine, base, base2 };
}
