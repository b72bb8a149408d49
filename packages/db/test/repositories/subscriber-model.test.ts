import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { migrateToLatest } from '../../src/migrate.ts';
import { openDatabase } from '../../src/open-database.ts';
import { upsertAccessLine } from '../../src/repositories/access-lines.ts';
import { findNumber, listDialIns, upsertNumber } from '../../src/repositories/numbers.ts';
import {
  findCredentialByUsername,
  upsertSipCredential,
} from '../../src/repositories/sip-credentials.ts';
import { upsertSite } from '../../src/repositories/sites.ts';
import {
  hasSubscription,
  listSubscriptions,
  replaceSubscriptions,
} from '../../src/repositories/subscriptions.ts';
import { findVoiceGroupByCode, upsertVoiceGroup } from '../../src/repositories/voice-groups.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const later = new Date('2025-11-24T00:00:00.000Z');
const dialectTest = eachDialect();

dialectTest(
  'a voice group is created, then unchanged, then updated, Asia/Tokyo by default',
  async (t, db) => {
    const first = await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo' }, now);
    t.is(first.outcome, 'created');
    t.is(first.row.time_zone, 'Asia/Tokyo');
    t.is(first.row.created_at, '2025-11-23T09:00:00.000Z');
    t.is(
      (await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo' }, later)).outcome,
      'unchanged',
    );
    const renamed = await upsertVoiceGroup(db, { code: 'VG00001', name: 'Demo Inc.' }, later);
    t.is(renamed.outcome, 'updated');
    t.is(renamed.row.updated_at, '2025-11-24T00:00:00.000Z');
    t.is((await findVoiceGroupByCode(db, 'VG00001'))?.name, 'Demo Inc.');
  },
);

dialectTest('codes must have their SPEC formats', async (t, db) => {
  await violates(
    t,
    upsertVoiceGroup(db, { code: 'VG1', name: 'x' }, now),
    'check',
    'voice_groups_code_format',
  );
  const group = (await upsertVoiceGroup(db, { code: 'VG00002', name: 'x' }, now)).row;
  await violates(
    t,
    upsertSite(db, { code: '12345', voice_group_id: group.id, name: 'x' }, now),
    'check',
    'sites_code_format',
  );
  await violates(
    t,
    upsertSite(db, { code: '12345a7', voice_group_id: group.id, name: 'x' }, now),
    'check',
    'sites_code_format',
  );
  const site = (await upsertSite(db, { code: '1234567', voice_group_id: group.id, name: 'x' }, now))
    .row;
  await violates(
    t,
    upsertAccessLine(db, { code: 'N12345678', site_id: site.id, channels: 1 }, now),
    'check',
    'access_lines_code_format',
  );
  await t.notThrowsAsync(
    upsertAccessLine(db, { code: 'N123456789', site_id: site.id, channels: 1 }, now),
  );
});

dialectTest('an access line needs at least one channel', async (t, db) => {
  const { site, line } = await seedTenant(db);
  await violates(
    t,
    upsertAccessLine(db, { code: 'N999999999', site_id: site.id, channels: 0 }, now),
    'check',
    'access_lines_channels_positive',
  );
  await violates(
    t,
    upsertAccessLine(db, { code: line.code, site_id: site.id, channels: 0 }, now),
    'check',
    'access_lines_channels_positive',
  );
});

dialectTest('numbers are 10–11 national digits and unique', async (t, db) => {
  const { line, otherLine } = await seedTenant(db);
  await violates(
    t,
    upsertNumber(db, { number: '031234567', kind: 'base', access_line_id: line.id }, now),
    'check',
    'numbers_number_format',
  );
  await violates(
    t,
    upsertNumber(db, { number: '031234567890', kind: 'base', access_line_id: line.id }, now),
    'check',
    'numbers_number_format',
  );
  await violates(
    t,
    upsertNumber(db, { number: '03-1234-567', kind: 'base', access_line_id: line.id }, now),
    'check',
    'numbers_number_format',
  );
  await violates(
    t,
    upsertNumber(db, { number: '1312345678', kind: 'base', access_line_id: line.id }, now),
    'check',
    'numbers_number_format',
  );
  // The same digits again are the same number (moved), not a second row.
  const moved = await upsertNumber(
    db,
    { number: '0312345678', kind: 'base', access_line_id: otherLine.id },
    now,
  );
  t.is(moved.outcome, 'updated');
  await violates(
    t,
    db
      .insertInto('numbers')
      .values({
        number: '0312345678',
        kind: 'base',
        access_line_id: line.id,
        base_number_id: null,
        base_number_kind: null,
        created_at: '',
        updated_at: '',
      })
      .execute(),
    'unique',
  );
});

dialectTest('a dial-in must point to a base number of the same access line', async (t, db) => {
  const { line, otherLine, base } = await seedTenant(db);
  const dialIn = await upsertNumber(
    db,
    { number: '0312345679', kind: 'dial_in', access_line_id: line.id, base_number_id: base.id },
    now,
  );
  t.is(dialIn.outcome, 'created');
  t.deepEqual(
    (await listDialIns(db, base.id)).map((n) => n.number),
    ['0312345679'],
  );
  // Base on another access line.
  await violates(
    t,
    upsertNumber(
      db,
      {
        number: '0312340000',
        kind: 'dial_in',
        access_line_id: otherLine.id,
        base_number_id: base.id,
      },
      now,
    ),
    'foreign key',
  );
  // Base that is itself a dial-in.
  await violates(
    t,
    upsertNumber(
      db,
      {
        number: '0312340001',
        kind: 'dial_in',
        access_line_id: line.id,
        base_number_id: dialIn.row.id,
      },
      now,
    ),
    'foreign key',
  );
  // A dial-in without a base, written past the repository.
  await violates(
    t,
    db
      .insertInto('numbers')
      .values({
        number: '0312340002',
        kind: 'dial_in',
        access_line_id: line.id,
        base_number_id: null,
        base_number_kind: null,
        created_at: '',
        updated_at: '',
      })
      .execute(),
    'check',
    'numbers_kind_shape',
  );
});

dialectTest('findNumber returns the number with its line, site and voice group', async (t, db) => {
  const { group, site, line, base } = await seedTenant(db);
  t.deepEqual(await findNumber(db, '0312345678'), {
    id: base.id,
    number: '0312345678',
    kind: 'base',
    baseNumberId: null,
    accessLineId: line.id,
    accessLineCode: 'N000000001',
    channels: 4,
    siteId: site.id,
    siteCode: '1000001',
    voiceGroupId: group.id,
    voiceGroupCode: 'VG00001',
    timeZone: 'Asia/Tokyo',
  });
  t.is(await findNumber(db, '0399999999'), undefined);
});

dialectTest(
  'findCredentialByUsername gives the registrar the number and its place',
  async (t, db) => {
    const { group, site, line, base } = await seedTenant(db);
    const created = await upsertSipCredential(
      db,
      { number_id: base.id, username: 'demo0312345678', password: 's3cret' },
      now,
    );
    t.is(created.outcome, 'created');
    t.deepEqual(await findCredentialByUsername(db, 'demo0312345678'), {
      username: 'demo0312345678',
      password: 's3cret',
      number: '0312345678',
      numberId: base.id,
      accessLineId: line.id,
      siteId: site.id,
      voiceGroupId: group.id,
    });
    t.is(await findCredentialByUsername(db, 'nobody'), undefined);
    const changed = await upsertSipCredential(
      db,
      { number_id: base.id, username: 'demo0312345678', password: 'n3w' },
      later,
    );
    t.is(changed.outcome, 'updated');
    t.is((await findCredentialByUsername(db, 'demo0312345678'))?.password, 'n3w');
  },
);

dialectTest('SIP-IDs are unique and belong to base numbers only', async (t, db) => {
  const { line, base, base2 } = await seedTenant(db);
  await upsertSipCredential(db, { number_id: base.id, username: 'taken', password: 'p' }, now);
  await violates(
    t,
    upsertSipCredential(db, { number_id: base2.id, username: 'taken', password: 'p' }, now),
    'unique',
  );
  const dialIn = (
    await upsertNumber(
      db,
      { number: '0312345679', kind: 'dial_in', access_line_id: line.id, base_number_id: base.id },
      now,
    )
  ).row;
  await violates(
    t,
    upsertSipCredential(db, { number_id: dialIn.id, username: 'dialin', password: 'p' }, now),
    'foreign key',
  );
});

dialectTest(
  'subscriptions are replaced as a set; bulk forwarding only per access line',
  async (t, db) => {
    const { line, base } = await seedTenant(db);
    const first = await replaceSubscriptions(
      db,
      { numberId: base.id },
      [
        { feature: 'voicemail' },
        { feature: 'special_number_forwarding', operatorNumber: '0120123456' },
      ],
      now,
    );
    t.deepEqual(first, { outcomes: ['created', 'created'], removed: 0 });
    const second = await replaceSubscriptions(
      db,
      { numberId: base.id },
      [{ feature: 'special_number_forwarding', operatorNumber: '0570123456' }],
      later,
    );
    t.deepEqual(second, { outcomes: ['updated'], removed: 1 });
    t.false(await hasSubscription(db, base.id, 'voicemail'));
    t.deepEqual(
      (await listSubscriptions(db, { numberId: base.id })).map((s) => [
        s.feature,
        s.operator_number,
      ]),
      [['special_number_forwarding', '0570123456']],
    );
    await violates(
      t,
      replaceSubscriptions(db, { numberId: base.id }, [{ feature: 'bulk_forwarding' }], now),
      'check',
      'subscriptions_owner',
    );
    await violates(
      t,
      replaceSubscriptions(db, { accessLineId: line.id }, [{ feature: 'voicemail' }], now),
      'check',
      'subscriptions_owner',
    );
    t.deepEqual(
      await replaceSubscriptions(
        db,
        { accessLineId: line.id },
        [{ feature: 'bulk_forwarding' }],
        now,
      ),
      {
        outcomes: ['created'],
        removed: 0,
      },
    );
  },
);

dialectTest('migrating again is a no-op', async (t, db) => {
  const result = await migrateToLatest(db);
  t.deepEqual(result.results, []);
});

test('sqlite: a file database runs in WAL mode with foreign keys on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvoice-db-'));
  const db = openDatabase(`sqlite:${join(dir, 'test.db')}`);
  try {
    await migrateToLatest(db);
    const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    t.is(journal.rows[0]?.journal_mode, 'wal');
    const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);
    t.is(fk.rows[0]?.foreign_keys, 1);
    await violates(
      t,
      upsertSite(db, { code: '1000001', voice_group_id: 999, name: 'orphan' }, now),
      'foreign key',
    );
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unsupported URL is refused by name', (t) => {
  t.throws(() => openDatabase('mysql://localhost/x'), {
    message: /unsupported database URL "mysql:\/\/localhost\/x"/,
  });
});
