import {
  upsertBulkForwardingGroup,
  findBulkForwardingGroup,
} from '../../src/repositories/bulk-forwarding.ts';
import {
  type ForwardingSetting,
  findForwardingSchedule,
  findForwardingSetting,
  replaceForwardingSchedule,
  upsertForwardingSetting,
} from '../../src/repositories/forwarding.ts';
import { findHuntGroupByNumber, upsertHuntGroup } from '../../src/repositories/hunt-groups.ts';
import { upsertNumber } from '../../src/repositories/numbers.ts';
import { findNumberSetting, upsertNumberSetting } from '../../src/repositories/number-settings.ts';
import { upsertSite } from '../../src/repositories/sites.ts';
import { upsertAccessLine } from '../../src/repositories/access-lines.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();

const noAnswerToSlot2: ForwardingSetting = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: 'slot2',
  slots: ['0311112222', '09012345678', null, null, null],
};

dialectTest(
  'a forwarding setting round-trips and reports unchanged on the same values',
  async (t, db) => {
    const { base } = await seedTenant(db);
    t.is(await upsertForwardingSetting(db, base.id, noAnswerToSlot2, now), 'created');
    t.deepEqual(await findForwardingSetting(db, base.id), noAnswerToSlot2);
    t.is(await upsertForwardingSetting(db, base.id, noAnswerToSlot2, now), 'unchanged');
    t.is(
      await upsertForwardingSetting(db, base.id, { ...noAnswerToSlot2, ringTimeSeconds: 25 }, now),
      'updated',
    );
    t.is((await findForwardingSetting(db, base.id))?.ringTimeSeconds, 25);
  },
);

dialectTest('the database refuses forwarding settings that break SPEC §3.1', async (t, db) => {
  const { base } = await seedTenant(db);
  const write = (s: ForwardingSetting) => upsertForwardingSetting(db, base.id, s, now);
  await violates(
    t,
    write({ ...noAnswerToSlot2, ringTimeSeconds: 31 }),
    'check',
    'forwarding_settings_ring_time',
  );
  await violates(
    t,
    write({ ...noAnswerToSlot2, ringTimeSeconds: 4 }),
    'check',
    'forwarding_settings_ring_time',
  );
  await violates(
    t,
    write({ ...noAnswerToSlot2, unconditional: true }),
    'check',
    'forwarding_settings_unconditional_exclusive',
  );
  await violates(
    t,
    write({ ...noAnswerToSlot2, activeTarget: 'slot3' }),
    'check',
    'forwarding_settings_active_slot_set',
  );
});

dialectTest('a schedule of named patterns is replaced whole', async (t, db) => {
  const { base } = await seedTenant(db);
  const night = {
    ...noAnswerToSlot2,
    unconditional: true,
    onBusy: false,
    onNoAnswer: false,
    activeTarget: 'slot1' as const,
  };
  const schedule = {
    patterns: [
      { name: 'day', setting: noAnswerToSlot2 },
      { name: 'night', setting: night },
    ],
    entries: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, startTime: '09:00', pattern: 'day' },
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, startTime: '18:00', pattern: 'night' },
    ].map((e) => ({ ...e, days: [...e.days] })),
  };
  t.is(await replaceForwardingSchedule(db, base.id, schedule, now), 'created');
  t.deepEqual(await findForwardingSchedule(db, base.id), schedule);
  t.is(await replaceForwardingSchedule(db, base.id, schedule, now), 'unchanged');
  const shorter = {
    patterns: schedule.patterns.slice(0, 1),
    entries: schedule.entries.slice(0, 1),
  };
  t.is(await replaceForwardingSchedule(db, base.id, shorter, now), 'updated');
  t.deepEqual(await findForwardingSchedule(db, base.id), shorter);
});

dialectTest('a JSON setting document compares by content, not key order', async (t, db) => {
  const { base } = await seedTenant(db);
  const voicemail = {
    guidance: 'record' as const,
    greeting: 'system' as const,
    maxMessages: 20,
    pin: '2580',
    notification: {
      addresses: ['a@example.com'],
      condition: 'on_recording' as const,
      attachAudio: true,
    },
  };
  t.is(await upsertNumberSetting(db, base.id, 'voicemail', voicemail, now), 'created');
  const reordered = {
    notification: {
      attachAudio: true,
      condition: 'on_recording' as const,
      addresses: ['a@example.com'],
    },
    pin: '2580',
    maxMessages: 20,
    greeting: 'system' as const,
    guidance: 'record' as const,
  };
  t.is(await upsertNumberSetting(db, base.id, 'voicemail', reordered, now), 'unchanged');
  t.is(
    await upsertNumberSetting(db, base.id, 'voicemail', { ...voicemail, maxMessages: 10 }, now),
    'updated',
  );
  t.deepEqual(await findNumberSetting(db, base.id, 'voicemail'), { ...voicemail, maxMessages: 10 });
  t.is(await findNumberSetting(db, base.id, 'anonymous_rejection'), undefined);
});

dialectTest(
  'a hunt group keeps its members in order and a number joins one group only',
  async (t, db) => {
    const { line, base, base2 } = await seedTenant(db);
    const third = (
      await upsertNumber(db, { number: '0312349999', kind: 'base', access_line_id: line.id }, now)
    ).row;
    const group = {
      pilotNumberId: base.id,
      mode: 'sequential' as const,
      callerId: 'pilot' as const,
      noAnswerSeconds: null,
    };
    t.is(
      await upsertHuntGroup(db, { ...group, memberNumberIds: [third.id, base2.id] }, now),
      'created',
    );
    const found = await findHuntGroupByNumber(db, base2.id);
    t.deepEqual(found?.members, ['0312349999', '05011112222']);
    t.is(found?.pilot, '0312345678');
    t.is(
      await upsertHuntGroup(db, { ...group, memberNumberIds: [third.id, base2.id] }, now),
      'unchanged',
    );
    t.is(
      await upsertHuntGroup(db, { ...group, memberNumberIds: [base2.id, third.id] }, now),
      'updated',
    );
    t.deepEqual((await findHuntGroupByNumber(db, base.id))?.members, ['05011112222', '0312349999']);
    // base2 already belongs to the first group.
    await violates(
      t,
      upsertHuntGroup(db, { ...group, pilotNumberId: third.id, memberNumberIds: [base2.id] }, now),
      'unique',
    );
    await t.throwsAsync(upsertHuntGroup(db, { ...group, memberNumberIds: [] }, now), {
      message: /member besides the pilot/,
    });
  },
);

dialectTest('hunt group members must be base numbers of the pilot’s site', async (t, db) => {
  const { group, base } = await seedTenant(db);
  const site2 = (
    await upsertSite(db, { code: '1000002', voice_group_id: group.id, name: 'Branch' }, now)
  ).row;
  const line2 = (
    await upsertAccessLine(db, { code: 'N000000009', site_id: site2.id, channels: 1 }, now)
  ).row;
  const far = (
    await upsertNumber(db, { number: '0611112222', kind: 'base', access_line_id: line2.id }, now)
  ).row;
  await t.throwsAsync(
    upsertHuntGroup(
      db,
      {
        pilotNumberId: base.id,
        mode: 'round_robin',
        callerId: 'individual',
        noAnswerSeconds: 15,
        memberNumberIds: [far.id],
      },
      now,
    ),
    { message: /pilot’s site/ },
  );
});

dialectTest('a bulk-forwarding group holds at most 1,000 numbers of its site', async (t, db) => {
  const { site, base, base2 } = await seedTenant(db);
  t.is(
    await upsertBulkForwardingGroup(
      db,
      { siteId: site.id, name: 'Disaster', memberNumberIds: [base2.id, base.id] },
      now,
    ),
    'created',
  );
  const found = await findBulkForwardingGroup(db, site.id, 'Disaster');
  t.is(found?.state, 'stopped');
  t.deepEqual(
    found?.memberNumberIds,
    [base.id, base2.id].sort((a, b) => a - b),
  );
  t.is(
    await upsertBulkForwardingGroup(
      db,
      { siteId: site.id, name: 'Disaster', memberNumberIds: [base.id, base2.id] },
      now,
    ),
    'unchanged',
  );
  const tooMany = Array.from({ length: 1001 }, (_, i) => i + 1);
  await t.throwsAsync(
    upsertBulkForwardingGroup(db, { siteId: site.id, name: 'Big', memberNumberIds: tooMany }, now),
    {
      message: /at most 1000/,
    },
  );
});
