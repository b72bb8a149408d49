// applyScheduleSwitches on SQLite with in-process state: passes at chosen instants (the
// `at` argument, as the cron tick passes clock.now()), switch minutes across day, week and
// DST boundaries, catch-up, history rows, change notices.
import test from 'ava';
import {
  findForwardingScheduleState,
  type Database,
  type Kysely,
  type SettingHistoryEntry,
} from '@ipvoice/db';
import { applyProvisioning } from '@ipvoice/provisioning';
import { FakeClock, noopLogger } from '@ipvoice/sip';
import { MemoryBackend, MemoryStateStore, settingsChangedChannel } from '@ipvoice/state';
import { applyScheduleSwitches, type ScheduleSwitcherDeps } from '../src/schedule-switcher.ts';
import { openSqlite } from './helpers/databases.ts';
import {
  history,
  historyCount,
  numberId,
  provision,
  statePattern,
  tenantDocument,
  weekdays,
  type TenantOptions,
} from './helpers/tenant.ts';

/** Local Tokyo time (UTC+9, no DST) as an instant. */
const jst = (local: string) => Date.parse(`${local}+09:00`);
const iso = (at: number) => new Date(at).toISOString();

interface After {
  pattern: string;
  patternId: number;
  setting: { unconditional: boolean; slots: Array<string | null>; ringTimeSeconds: number };
  entry: { id: number; days: string[]; startTime: string };
  scheduledAt: string | null;
  reason: string;
}
interface Before {
  pattern: string | null;
  switchedAt: string;
}
const after = (h: SettingHistoryEntry | undefined) => h?.after as After;
const before = (h: SettingHistoryEntry | undefined) => h?.before as Before | null;

interface World {
  db: Kysely<Database>;
  backend: MemoryBackend;
  deps: ScheduleSwitcherDeps;
  pass(at: number): ReturnType<typeof applyScheduleSwitches>;
}

async function world(t: { teardown(fn: () => Promise<void>): void }, tenant: TenantOptions) {
  const db = await openSqlite();
  await provision(db, tenant);
  const clock = new FakeClock(jst('2026-01-05T00:00'));
  const backend = new MemoryBackend();
  const state = new MemoryStateStore({ clock, backend });
  t.teardown(async () => {
    await state.close();
    await db.destroy();
  });
  const deps: ScheduleSwitcherDeps = {
    db,
    state,
    clock,
    logger: noopLogger,
    schedulerId: 'scheduler-a',
  };
  const w: World = { db, backend, deps, pass: (at) => applyScheduleSwitches(deps, at) };
  return w;
}

const desk = '0355550100';

test('Tokyo: switches to night at Friday 18:00 and back to office at Monday 09:00, not a minute before', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });

  // Friday 2026-01-09, office hours: the first pass puts the number on the office pattern.
  const first = await w.pass(jst('2026-01-09T10:00'));
  t.deepEqual(
    first.switched.map((s) => s.number),
    [desk],
  );
  t.is(await statePattern(w.db, desk), 'office');

  for (const at of [jst('2026-01-09T17:59'), jst('2026-01-09T17:59:59.999')]) {
    const r = await w.pass(at);
    t.deepEqual(r, { switched: [], unchanged: 1, failed: [] }, `nothing at ${iso(at)}`);
  }
  t.is(await statePattern(w.db, desk), 'office');

  const evening = await w.pass(jst('2026-01-09T18:00'));
  t.is(evening.switched.length, 1);
  t.is(await statePattern(w.db, desk), 'night');
  const state = await findForwardingScheduleState(w.db, await numberId(w.db, desk));
  t.is(state?.switchedAt, '2026-01-09T09:00:00.000Z');
  t.is(state?.appliedBy, 'scheduler-a');
  t.is(state?.patternId, evening.switched[0]?.patternId);
  t.is(state?.entryId, evening.switched[0]?.entryId);

  // The weekend and Monday morning stay on night: Friday 18:00 governs until Monday 09:00.
  for (const at of [jst('2026-01-10T12:00'), jst('2026-01-12T00:00'), jst('2026-01-12T08:59')]) {
    t.is((await w.pass(at)).switched.length, 0, `nothing at ${iso(at)}`);
  }
  t.is((await w.pass(jst('2026-01-12T09:00'))).switched.length, 1);
  t.is(await statePattern(w.db, desk), 'office');

  const rows = await history(w.db, desk);
  t.is(rows.length, 3);
  const [initial, toNight, toOffice] = rows;
  t.like(initial, { actor: 'scheduler', feature: 'forwarding_schedule', action: 'switch' });
  t.is(before(initial), null);
  t.like(after(initial), { pattern: 'office', reason: 'first' });

  t.like(toNight, {
    actor: 'scheduler',
    feature: 'forwarding_schedule',
    action: 'switch',
    createdAt: '2026-01-09T09:00:00.000Z',
  });
  t.like(before(toNight), { pattern: 'office', switchedAt: '2026-01-09T01:00:00.000Z' });
  t.like(after(toNight), {
    pattern: 'night',
    reason: 'on_time',
    scheduledAt: '2026-01-09T09:00:00.000Z',
    entry: { days: weekdays, startTime: '18:00' },
  });
  t.like(after(toNight).setting, {
    unconditional: true,
    slots: ['0399990000', null, null, null, null],
  });

  t.like(toOffice, { createdAt: '2026-01-12T00:00:00.000Z' });
  t.like(before(toOffice), { pattern: 'night' });
  t.like(after(toOffice), {
    pattern: 'office',
    reason: 'on_time',
    scheduledAt: '2026-01-12T00:00:00.000Z',
    entry: { startTime: '09:00' },
  });
  t.like(after(toOffice).setting, { unconditional: false, ringTimeSeconds: 15 });
});

test('a day boundary: Tuesday 18:00 switches to night and Wednesday 09:00 back', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  await w.pass(jst('2026-01-06T12:00'));
  t.is((await w.pass(jst('2026-01-06T18:00'))).switched.length, 1);
  t.is((await w.pass(jst('2026-01-07T00:00'))).switched.length, 0);
  t.is((await w.pass(jst('2026-01-07T08:59'))).switched.length, 0);
  t.is(await statePattern(w.db, desk), 'night');
  t.is((await w.pass(jst('2026-01-07T09:00'))).switched.length, 1);
  t.is(await statePattern(w.db, desk), 'office');
});

test('catch-up after an outage spanning several switches: the state becomes what is in force, one history row says so', async (t) => {
  const entries = [
    { days: weekdays, start: '09:00', pattern: 'office' },
    { days: weekdays, start: '12:00', pattern: 'lunch' },
    { days: weekdays, start: '13:00', pattern: 'office' },
    { days: weekdays, start: '18:00', pattern: 'night' },
  ];
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'], entries });
  await w.pass(jst('2026-01-08T17:00')); // Thursday, office
  t.is(await statePattern(w.db, desk), 'office');

  // Down from Thursday 17:00 to Friday 19:00: Thu 18:00, Fri 09:00, 12:00, 13:00 and 18:00
  // all passed unapplied.
  const r = await w.pass(jst('2026-01-09T19:00'));
  t.is(r.switched.length, 1);
  t.is(await statePattern(w.db, desk), 'night');
  const rows = await history(w.db, desk);
  t.is(rows.length, 2, 'the initial switch and the one catch-up, not one per missed switch');
  t.like(before(rows[1]), { pattern: 'office', switchedAt: '2026-01-08T08:00:00.000Z' });
  t.like(after(rows[1]), {
    pattern: 'night',
    reason: 'catch_up',
    scheduledAt: '2026-01-09T09:00:00.000Z',
  });
  t.is(rows[1]?.createdAt, '2026-01-09T10:00:00.000Z');
});

test('an outage that ends on the pattern already applied writes nothing', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  await w.pass(jst('2026-01-08T17:00')); // Thursday, office
  // Down over Thursday 18:00 (night) and Friday 09:00 (office again).
  const r = await w.pass(jst('2026-01-09T10:00'));
  t.deepEqual(r, { switched: [], unchanged: 1, failed: [] });
  t.is((await history(w.db, desk)).length, 1);
  const state = await findForwardingScheduleState(w.db, await numberId(w.db, desk));
  t.is(state?.switchedAt, '2026-01-08T08:00:00.000Z');
});

test('a second pass in the same minute finds nothing to change and writes no history', async (t) => {
  const w = await world(t, {
    timeZone: 'Asia/Tokyo',
    numbers: ['03-5555-0100', '03-5555-0101'],
  });
  await w.pass(jst('2026-01-09T10:00'));
  const at = jst('2026-01-09T18:00');
  const [a, b] = await Promise.all([w.pass(at), w.pass(at + 30_000)]);
  t.is((a?.switched.length ?? 0) + (b?.switched.length ?? 0), 2);
  t.is(b?.switched.length, 0);
  t.is(await historyCount(w.db), 4);
});

test('a pass whose clock is behind the last switch does not switch the number back', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  await w.pass(jst('2026-01-09T10:00'));
  await w.pass(jst('2026-01-09T18:00'));
  // Another scheduler two seconds behind still sees office hours.
  const r = await w.pass(jst('2026-01-09T17:59:58'));
  t.deepEqual(r, { switched: [], unchanged: 1, failed: [] });
  t.is(await statePattern(w.db, desk), 'night');
  t.is(await historyCount(w.db), 2);
});

test('the numbers switched in a pass are published together on the settings-changed channel', async (t) => {
  const w = await world(t, {
    timeZone: 'Asia/Tokyo',
    numbers: ['03-5555-0100', '03-5555-0101'],
    otherNumbers: ['03-5555-0102'],
  });
  await w.pass(jst('2026-01-09T10:00'));

  // A feature server's store on the same backend, as servers share one Redis.
  const server = new MemoryStateStore({ backend: w.backend });
  t.teardown(() => server.close());
  const received: string[] = [];
  let notify: (m: string) => void = () => {};
  await server.subscribe(settingsChangedChannel, (m) => {
    received.push(m);
    notify(m);
  });
  const next = () => new Promise<string>((resolve) => (notify = resolve));

  const message = next();
  const r = await w.pass(jst('2026-01-09T18:00'));
  t.deepEqual(r.switched.map((s) => s.number).sort(), ['0355550100', '0355550101']);
  t.deepEqual((await message).split(',').sort(), ['0355550100', '0355550101']);

  // A pass that switches nothing sends nothing: our own marker is the next message.
  const marker = next();
  await w.pass(jst('2026-01-09T18:01'));
  await server.publish(settingsChangedChannel, 'marker');
  t.is(await marker, 'marker');
  t.is(received.length, 2);
});

test('a number whose schedule cannot be read is reported and does not stop the others', async (t) => {
  const w = await world(t, {
    timeZone: 'Asia/Tokyo',
    numbers: ['03-5555-0100', '03-5555-0101'],
  });
  await w.db
    .updateTable('forwarding_schedule_entries')
    .set({ start_time: '25:00' })
    .where('number_id', '=', await numberId(w.db, '0355550101'))
    .execute();
  const r = await w.pass(jst('2026-01-09T10:00'));
  t.deepEqual(r.failed, ['0355550101']);
  t.deepEqual(
    r.switched.map((s) => s.number),
    [desk],
  );
  t.is(await statePattern(w.db, '0355550101'), undefined);
  t.is((await history(w.db, '0355550101')).length, 0);
});

test('an edited schedule is applied again and its history row says the schedule was replaced', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  await w.pass(jst('2026-01-09T10:00'));
  // Office hours now end at 17:00; provisioning replaces the patterns, so the state's
  // pattern goes null.
  await provision(w.db, {
    timeZone: 'Asia/Tokyo',
    numbers: ['03-5555-0100'],
    entries: [
      { days: weekdays, start: '09:00', pattern: 'office' },
      { days: weekdays, start: '17:00', pattern: 'night' },
    ],
  });
  t.is(await statePattern(w.db, desk), null);
  const r = await w.pass(jst('2026-01-09T17:30'));
  t.is(r.switched.length, 1);
  t.is(await statePattern(w.db, desk), 'night');
  const rows = await history(w.db, desk);
  t.like(before(rows[1]), { pattern: null });
  t.like(after(rows[1]), { pattern: 'night', reason: 'schedule_replaced' });
});

test('a failed history insert rolls the switch back: the number is never half-switched', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  await w.pass(jst('2026-01-09T10:00'));
  // Make the history insert fail after the state write in the same transaction.
  await w.db.schema.alterTable('setting_history').renameTo('setting_history_away').execute();
  const r = await w.pass(jst('2026-01-09T18:00'));
  t.deepEqual(r.failed, [desk]);
  t.is(await statePattern(w.db, desk), 'office');
  await w.db.schema.alterTable('setting_history_away').renameTo('setting_history').execute();
  // The next pass switches it, late but whole.
  const again = await w.pass(jst('2026-01-09T18:01'));
  t.is(again.switched.length, 1);
  t.is(await statePattern(w.db, desk), 'night');
  t.is((await history(w.db, desk)).length, 2);
});

test('America/New_York spring forward: a start inside the skipped hour comes at 03:00 EDT; 09:00 is 09:00 EDT', async (t) => {
  // Sunday 2026-03-08: 02:00 EST (07:00Z) jumps to 03:00 EDT.
  const w = await world(t, {
    timeZone: 'America/New_York',
    numbers: ['03-5555-0100'],
    entries: [
      { days: ['sat'], start: '09:00', pattern: 'office' },
      { days: ['sun'], start: '02:30', pattern: 'night' },
      { days: ['sun'], start: '09:00', pattern: 'lunch' },
    ],
  });
  await w.pass(Date.parse('2026-03-07T12:00Z')); // Saturday 07:00 EST: last Sunday's lunch
  t.is(await statePattern(w.db, desk), 'lunch');
  t.is((await w.pass(Date.parse('2026-03-07T13:59Z'))).switched.length, 0);
  t.is((await w.pass(Date.parse('2026-03-07T14:00Z'))).switched.length, 1); // 09:00 EST
  t.is(await statePattern(w.db, desk), 'office');

  t.is((await w.pass(Date.parse('2026-03-08T06:59Z'))).switched.length, 0); // 01:59 EST
  t.is((await w.pass(Date.parse('2026-03-08T07:00Z'))).switched.length, 1); // 03:00 EDT
  t.is(await statePattern(w.db, desk), 'night');

  t.is((await w.pass(Date.parse('2026-03-08T12:59Z'))).switched.length, 0); // 08:59 EDT
  t.is((await w.pass(Date.parse('2026-03-08T13:00Z'))).switched.length, 1); // 09:00 EDT
  t.is(await statePattern(w.db, desk), 'lunch');
  const rows = await history(w.db, desk);
  t.deepEqual(
    rows.map((r) => [r.createdAt, after(r).pattern, after(r).scheduledAt]),
    [
      ['2026-03-07T12:00:00.000Z', 'lunch', '2026-03-01T14:00:00.000Z'],
      ['2026-03-07T14:00:00.000Z', 'office', '2026-03-07T14:00:00.000Z'],
      ['2026-03-08T07:00:00.000Z', 'night', '2026-03-08T07:00:00.000Z'],
      ['2026-03-08T13:00:00.000Z', 'lunch', '2026-03-08T13:00:00.000Z'],
    ],
  );
});

test('America/New_York fall back: a start in the repeated hour switches once, at its first occurrence', async (t) => {
  // Sunday 2026-11-01: 02:00 EDT (06:00Z) goes back to 01:00 EST; 01:30 happens at 05:30Z
  // and again at 06:30Z.
  const w = await world(t, {
    timeZone: 'America/New_York',
    numbers: ['03-5555-0100'],
    entries: [
      { days: ['sat'], start: '09:00', pattern: 'office' },
      { days: ['sun'], start: '01:30', pattern: 'night' },
      { days: ['sun'], start: '09:00', pattern: 'lunch' },
    ],
  });
  await w.pass(Date.parse('2026-10-31T14:00Z')); // Saturday 10:00 EDT
  t.is(await statePattern(w.db, desk), 'office');
  t.is((await w.pass(Date.parse('2026-11-01T05:29Z'))).switched.length, 0);
  t.is((await w.pass(Date.parse('2026-11-01T05:30Z'))).switched.length, 1);
  t.is(await statePattern(w.db, desk), 'night');
  t.is((await w.pass(Date.parse('2026-11-01T06:30Z'))).switched.length, 0); // 01:30 EST again
  t.is((await w.pass(Date.parse('2026-11-01T13:00Z'))).switched.length, 0); // 08:00 EST
  t.is((await w.pass(Date.parse('2026-11-01T13:59Z'))).switched.length, 0); // 08:59 EST
  t.is((await w.pass(Date.parse('2026-11-01T14:00Z'))).switched.length, 1); // 09:00 EST
  t.is(await statePattern(w.db, desk), 'lunch');
  t.is((await history(w.db, desk)).length, 3);
});

test('numbers whose schedules share days and times each get their own pattern', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: [] });
  const doc = tenantDocument({ timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100', '03-5555-0101'] });
  const [first, second] = doc.voiceGroups[0]?.sites[0]?.accessLines[0]?.numbers ?? [];
  // Same days and times, patterns the other way round.
  if (second) {
    second.schedule = {
      ...second.schedule,
      entries: [
        { days: weekdays, start: '09:00', pattern: 'night' },
        { days: weekdays, start: '18:00', pattern: 'office' },
      ],
    };
  }
  t.truthy(first);
  await applyProvisioning(w.db, doc, { now: new Date('2026-01-01T00:00:00Z') });
  await w.pass(jst('2026-01-09T10:00'));
  t.is(await statePattern(w.db, desk), 'office');
  t.is(await statePattern(w.db, '0355550101'), 'night');
  await w.pass(jst('2026-01-09T18:00'));
  t.is(await statePattern(w.db, desk), 'night');
  t.is(await statePattern(w.db, '0355550101'), 'office');
});

test('numbers without a schedule are not touched', async (t) => {
  const w = await world(t, { timeZone: 'Asia/Tokyo', numbers: [] });
  const r = await w.pass(jst('2026-01-09T18:00'));
  t.deepEqual(r, { switched: [], unchanged: 0, failed: [] });
  t.is(await historyCount(w.db), 0);
});
