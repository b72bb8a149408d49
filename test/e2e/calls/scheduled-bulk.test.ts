// SPEC §3.2 and §3.3 through the real server: a schedule switch and a bulk-forwarding start
// made by another process (the scheduler, an administrator's operation) reach the running
// server through Redis, and the next call follows them.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { findBulkForwardingGroup, openDatabase, upsertForwardingSetting } from '@ipvoice/db';
import { startBulkForwarding, stopBulkForwarding } from '@ipvoice/forwarding-ops';
import { applyScheduleSwitches } from '@ipvoice/scheduler';
import { createStateStore, settingsChangedChannel } from '@ipvoice/state';
import { noopLogger, systemClock } from '@ipvoice/sip';
import { CallLab, credentialsOf, received, statuses, succeeded } from '../../helpers/calls.ts';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const outside = '0312000001';

/** A lab whose server shares state with this test through Redis, and the test's own handles
 * on the server's database and state. */
async function sharedLab(t: import('ava').ExecutionContext, provisioning: string) {
  const prefix = `e2e-${randomUUID()}:`;
  const lab = await CallLab.start({
    lines: [],
    provisioning,
    // This test drives the scheduler itself, at chosen instants.
    env: {
      REDIS_URL: redisUrl,
      IPVOICE_STATE__KEY_PREFIX: prefix,
      IPVOICE_SCHEDULER__ENABLED: 'false',
    },
  });
  const db = openDatabase(lab.databaseUrl);
  const state = createStateStore({ driver: 'redis', redisUrl, keyPrefix: prefix });
  t.teardown(async () => {
    await state.close();
    await db.destroy();
    await lab.dispose();
  });
  return { lab, db, state };
}

function provisioning(site: object): string {
  return JSON.stringify({
    version: 1,
    voiceGroups: [{ code: 'VG09997', name: 'E2E jobs', timeZone: 'Asia/Tokyo', sites: [site] }],
  });
}

const desk = '0355570001';
const centre = '0355570002';

test('a schedule switch made by the scheduler process changes where the next call goes', async (t) => {
  const { lab, db, state } = await sharedLab(
    t,
    provisioning({
      code: '9999997',
      name: 'Office',
      accessLines: [
        {
          code: 'N900000097',
          channels: 4,
          numbers: [
            {
              number: desk,
              sip: credentialsOf(desk),
              schedule: {
                patterns: [
                  {
                    name: 'office',
                    enabled: false,
                    when: ['noAnswer'],
                    slots: [centre],
                    target: 1,
                  },
                  {
                    name: 'night',
                    enabled: true,
                    when: 'unconditional',
                    slots: [centre],
                    target: 1,
                  },
                ],
                entries: [
                  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', pattern: 'office' },
                  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '18:00', pattern: 'night' },
                ],
              },
            },
            { number: centre, sip: credentialsOf(centre) },
          ],
        },
      ],
    }),
  );
  const deps = { db, state, clock: systemClock, logger: noopLogger, schedulerId: 'e2e' };

  // Monday 2026-11-23 17:59 in Tokyo: office hours, the desk rings.
  const before = await applyScheduleSwitches(deps, Date.parse('2026-11-23T08:59:00Z'));
  t.deepEqual(
    before.switched.map((s) => s.number),
    [desk],
  );
  const deskPhone = await lab.phone(desk, 'phone-answer');
  const first = await lab.trunkCall('caller', { caller: outside, callee: desk });
  await succeeded(t, first, deskPhone);
  t.like(await lab.record(await first.callId()), { outcome: 'answered', forwarded_to: null });

  // 18:00: the night pattern forwards everything to the call centre.
  const after = await applyScheduleSwitches(deps, Date.parse('2026-11-23T09:00:00Z'));
  t.deepEqual(
    after.switched.map((s) => s.number),
    [desk],
  );
  const deskAgain = await lab.phone(desk, 'phone-answer');
  const centrePhone = await lab.phone(centre, 'phone-answer');
  const second = await lab.trunkCall('caller', { caller: outside, callee: desk });
  await succeeded(t, second, centrePhone);
  t.deepEqual(received(await deskAgain.messages(), 'INVITE'), [], 'the desk rang after 18:00');
  t.true(statuses(await second.messages()).includes(181));
  t.like(await lab.record(await second.callId()), {
    outcome: 'forwarded',
    outcome_reason: 'unconditional',
    forwarded_to: centre,
  });
});

/** 1,000 members 03-5558-0000 … 0999, each with its own outside slot-5 target 090-5558-xxxx,
 * but member 0500 has no slot 5. */
function bulkSite(): object {
  const numbers = [];
  for (let i = 0; i < 1000; i++) {
    const suffix = String(i).padStart(4, '0');
    const number = `035558${suffix}`;
    numbers.push({
      number,
      sip: credentialsOf(number),
      ...(i === 500
        ? {}
        : {
            forwarding: {
              enabled: false,
              when: ['busy'],
              slots: [null, null, null, null, `090555${suffix}0`.slice(0, 11)],
              target: 5,
            },
          }),
    });
  }
  return {
    code: '9999996',
    name: 'Disaster site',
    accessLines: [{ code: 'N900000096', channels: 20, numbers }],
    bulkForwardingGroups: [{ name: 'Disaster', members: numbers.map((n) => n.number) }],
  };
}

const member = (i: number) => `035558${String(i).padStart(4, '0')}`;
const target = (i: number) => `090555${String(i).padStart(4, '0')}0`.slice(0, 11);

test('bulk forwarding of 1,000 numbers: start forwards the members to slot 5, stop restores them with the edit made meanwhile', async (t) => {
  const { lab, db, state } = await sharedLab(t, provisioning(bulkSite()));
  const deps = { db, state, clock: systemClock, logger: noopLogger };
  const site = await db
    .selectFrom('sites')
    .select('id')
    .where('code', '=', '9999996')
    .executeTakeFirstOrThrow();
  const group = await findBulkForwardingGroup(db, site.id, 'Disaster');
  if (!group) return t.fail('group not provisioned');
  t.is(group.memberNumberIds.length, 1000);

  const started = await startBulkForwarding(deps, group.id, 'e2e-admin');
  t.is(started.ok, 999);
  t.deepEqual(
    started.errors.map((e) => e.number),
    [member(500)],
  );

  // The first, a middle and the last member go to their own slot-5 targets via the trunk.
  for (const i of [0, 499, 999]) {
    const trunk = await lab.outboundTrunk(target(i), 'phone-answer');
    const caller = await lab.trunkCall('caller', { caller: outside, callee: member(i) });
    await succeeded(t, caller, trunk);
    const [invite] = received(await trunk.messages(), 'INVITE');
    t.regex(invite?.startLine ?? '', new RegExp(`sip:${target(i)}@`), `member ${i}`);
    t.like(await lab.record(await caller.callId()), {
      outcome: 'forwarded',
      outcome_reason: 'unconditional',
      forwarded_to: target(i),
    });
  }
  // The member without slot 5 is reported and still rings normally.
  const plainPhone = await lab.phone(member(500), 'phone-answer');
  const plainCall = await lab.trunkCall('caller', { caller: outside, callee: member(500) });
  await succeeded(t, plainCall, plainPhone);
  t.like(await lab.record(await plainCall.callId()), { outcome: 'answered' });

  // An edit made while the group is started is stored, but the group still decides.
  const first = await db
    .selectFrom('numbers')
    .select('id')
    .where('number', '=', member(0))
    .executeTakeFirstOrThrow();
  const edited = {
    enabled: true,
    unconditional: true,
    onBusy: false,
    onNoAnswer: false,
    onUnreachable: false,
    ringTimeSeconds: 20,
    activeTarget: 'slot1' as const,
    slots: [member(1), null, null, null, target(0)] as [
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
    ],
  };
  await upsertForwardingSetting(db, first.id, edited, new Date());
  await state.publish(settingsChangedChannel, member(0));
  const stillBulk = await lab.outboundTrunk(target(0), 'phone-answer');
  const duringCall = await lab.trunkCall('caller', { caller: outside, callee: member(0) });
  await succeeded(t, duringCall, stillBulk);

  const stopped = await stopBulkForwarding(deps, group.id, 'e2e-admin');
  t.is(stopped.state, 'stopped');
  // After stop: member 0 follows its edited setting (unconditional to member 1) …
  const memberOnePhone = await lab.phone(member(1), 'phone-answer');
  const afterCall = await lab.trunkCall('caller', { caller: outside, callee: member(0) });
  await succeeded(t, afterCall, memberOnePhone);
  t.like(await lab.record(await afterCall.callId()), { forwarded_to: member(1) });
  // … and the last member rings its own phone again.
  const lastPhone = await lab.phone(member(999), 'phone-answer');
  const lastCall = await lab.trunkCall('caller', { caller: outside, callee: member(999) });
  await succeeded(t, lastCall, lastPhone);
  t.like(await lab.record(await lastCall.callId()), { outcome: 'answered', forwarded_to: null });
});

// 110 is no national number (SPEC §2 numbers are 10–11 digits): without its own path it would
// be refused as unknown instead of reaching the police.
test('an emergency call (110) from a subscriber goes straight out through the trunk', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: desk }] }] });
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk('110', 'phone-answer');
  const caller = await lab.subscriberCall({ caller: desk, callee: '110' });
  await succeeded(t, caller, trunk);
  const [invite] = received(await trunk.messages(), 'INVITE');
  t.regex(invite?.startLine ?? '', /^INVITE sip:110@127\.0\.0\.1:/);
  t.false(statuses(await caller.messages()).includes(181));
  t.like(await lab.record(await caller.callId()), {
    direction: 'outgoing',
    called: '110',
    outcome: 'answered',
  });
});
