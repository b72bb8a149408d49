import test from 'ava';
import fc from 'fast-check';
import { decideIncoming } from '../src/decide.ts';
import {
  type EffectiveForwarding,
  type ForwardingSources,
  bulkStartCheck,
  bulkStartReasons,
  effectiveForwarding,
} from '../src/effective-forwarding.ts';
import type { CalleeFacts, ForwardingSetting } from '../src/types.ts';

const CALLEE = '0311112222';
const BULK_TARGET = '0667778888';

// The number's own setting: busy forwarding to slot 1, slot 5 holding the bulk target.
const own: ForwardingSetting = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 15,
  activeTarget: 'slot1',
  slots: ['0312345678', '09012345678', null, null, BULK_TARGET],
};
/** `setting` with slot 5 replaced. */
const withSlot5 = (setting: ForwardingSetting, slot5: string | null): ForwardingSetting => {
  const [s1, s2, s3, s4] = setting.slots;
  return { ...setting, slots: [s1, s2, s3, s4, slot5] };
};

const ownWithoutSlot5: ForwardingSetting = withSlot5(own, null);
// A schedule pattern: forward everything to the call centre in slot 2.
const scheduled: ForwardingSetting = {
  ...own,
  unconditional: true,
  onBusy: false,
  activeTarget: 'slot2',
};

const bulkSetting: ForwardingSetting = {
  ...own,
  enabled: true,
  unconditional: true,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  activeTarget: 'slot5',
};

const started = { groupStarted: true };
const stopped = { groupStarted: false };

const cases: Array<{ name: string; sources: ForwardingSources; result: EffectiveForwarding }> = [
  {
    name: 'nothing stored: no setting',
    sources: { own: undefined },
    result: { setting: undefined, source: 'none' },
  },
  { name: 'the own setting alone', sources: { own }, result: { setting: own, source: 'own' } },
  {
    name: 'the schedule-selected pattern over the own setting',
    sources: { own, scheduled },
    result: { setting: scheduled, source: 'schedule' },
  },
  {
    name: 'a schedule-selected pattern without an own setting',
    sources: { own: undefined, scheduled },
    result: { setting: scheduled, source: 'schedule' },
  },
  {
    name: 'a started group forwards unconditionally to slot 5, over the own setting',
    sources: { own, bulk: started },
    result: { setting: bulkSetting, source: 'bulk' },
  },
  {
    name: 'a started group overrides the schedule too',
    sources: { own, scheduled, bulk: started },
    result: { setting: bulkSetting, source: 'bulk' },
  },
  {
    name: 'a started group switches on forwarding that the number had off',
    sources: { own: { ...own, enabled: false, activeTarget: null }, bulk: started },
    result: {
      setting: { ...bulkSetting, enabled: true, activeTarget: 'slot5' },
      source: 'bulk',
    },
  },
  {
    name: 'a stopped group changes nothing: the schedule applies',
    sources: { own, scheduled, bulk: stopped },
    result: { setting: scheduled, source: 'schedule' },
  },
  {
    name: 'a stopped group changes nothing: the own setting applies',
    sources: { own, bulk: stopped },
    result: { setting: own, source: 'own' },
  },
  {
    name: 'started, but slot 5 empty: not bulk-forwarded, the schedule applies, with the reason',
    sources: { own: ownWithoutSlot5, scheduled, bulk: started },
    result: { setting: scheduled, source: 'schedule', bulkError: bulkStartReasons.noSlot5 },
  },
  {
    name: 'started, but slot 5 empty: the own setting applies, with the reason',
    sources: { own: ownWithoutSlot5, bulk: started },
    result: {
      setting: ownWithoutSlot5,
      source: 'own',
      bulkError: 'slot 5 has no forwarding target',
    },
  },
  {
    name: 'started, but no setting at all: none, with the reason',
    sources: { own: undefined, bulk: started },
    result: { setting: undefined, source: 'none', bulkError: 'slot 5 has no forwarding target' },
  },
  {
    name: 'started, but slot 5 holds a number no call may be forwarded to',
    sources: {
      own: withSlot5(own, '0120123456'),
      bulk: started,
    },
    result: {
      setting: withSlot5(own, '0120123456'),
      source: 'own',
      bulkError:
        'slot 5 holds 0120123456, which cannot be a forwarding target: 0120 numbers (toll-free) cannot be forwarding targets; forwarding to a toll-free number is the separate "forward to a special number" service.',
    },
  },
];

for (const c of cases) {
  test(c.name, (t) => {
    t.deepEqual(effectiveForwarding(c.sources), c.result);
  });
}

const checkCases: Array<{
  name: string;
  own: ForwardingSetting | undefined;
  result: ReturnType<typeof bulkStartCheck>;
}> = [
  { name: 'ok with the slot-5 target', own, result: { ok: true, target: BULK_TARGET } },
  {
    name: 'ok with the slot-5 target in its normalized form',
    own: { ...own, slots: [null, null, null, null, '06-6777-8888'] },
    result: { ok: true, target: BULK_TARGET },
  },
  {
    name: 'ok whatever the rest of the setting says',
    own: {
      ...own,
      enabled: false,
      activeTarget: 'voicemail',
      slots: [null, null, null, null, '09012345678'],
    },
    result: { ok: true, target: '09012345678' },
  },
  {
    name: 'error without any setting',
    own: undefined,
    result: { ok: false, reason: 'slot 5 has no forwarding target' },
  },
  {
    name: 'error with an empty slot 5, even when other slots are filled',
    own: ownWithoutSlot5,
    result: { ok: false, reason: 'slot 5 has no forwarding target' },
  },
  {
    name: 'error for an emergency number in slot 5',
    own: { ...own, slots: [null, null, null, null, '110'] },
    result: {
      ok: false,
      reason:
        'slot 5 holds 110, which cannot be a forwarding target: 110 is a 1XY short code (such as 104, 110, 117, 119 or 177); numbers starting with 1 cannot be forwarding targets.',
    },
  },
];

for (const c of checkCases) {
  test(`bulk start check: ${c.name}`, (t) => {
    t.deepEqual(bulkStartCheck(c.own), c.result);
  });
}

const callee = (forwarding: ForwardingSetting | undefined): CalleeFacts => ({
  number: CALLEE,
  forwarding,
  subscriptions: new Set(['bulk_forwarding']),
  internationalBarring: false,
  registered: true,
  channelAvailable: true,
});
const call = { callerNumber: '0455556666', calledNumber: CALLEE, forwardedFrom: [] };

test('forwarding edits made while a group is started are stored and take effect after it stops', (t) => {
  const planWhile = (sources: ForwardingSources) =>
    decideIncoming(call, callee(effectiveForwarding(sources).setting));

  // Started: every call goes to slot 5.
  t.deepEqual(planWhile({ own, bulk: started }), {
    action: 'forward',
    number: BULK_TARGET,
    reason: 'unconditional',
  });
  // The user switches to unconditional forwarding to slot 2 while the group is started:
  // stored in `own`, yet calls still go to slot 5.
  const edited: ForwardingSetting = {
    ...own,
    unconditional: true,
    onBusy: false,
    activeTarget: 'slot2',
  };
  t.deepEqual(effectiveForwarding({ own: edited, bulk: started }).source, 'bulk');
  t.deepEqual(planWhile({ own: edited, bulk: started }), {
    action: 'forward',
    number: BULK_TARGET,
    reason: 'unconditional',
  });
  // Stopped: the edit governs.
  t.deepEqual(planWhile({ own: edited, bulk: stopped }), {
    action: 'forward',
    number: '09012345678',
    reason: 'unconditional',
  });
  // And forwarding switched off while started is off after the stop.
  const off: ForwardingSetting = { ...own, enabled: false };
  t.deepEqual(planWhile({ own: off, bulk: started }).action, 'forward');
  t.deepEqual(planWhile({ own: off, bulk: stopped }), { action: 'ring' });
});

test('without a recorded start target, a started group reads slot 5 as it is now', (t) => {
  const newTarget = '0699990000';
  const edited: ForwardingSetting = withSlot5(own, newTarget);
  t.is(effectiveForwarding({ own: edited, bulk: started }).setting?.slots[4], newTarget);
});

test('with the target recorded at start, slot-5 edits made while started wait for the stop (SPEC §3.3)', (t) => {
  const edited: ForwardingSetting = withSlot5(own, '0699990000');
  const recorded = { groupStarted: true, startTarget: BULK_TARGET };
  const result = effectiveForwarding({ own: edited, bulk: recorded });
  t.is(result.source, 'bulk');
  t.is(result.setting?.slots[4], BULK_TARGET);
  t.true(result.setting?.unconditional);
  t.is(result.setting?.activeTarget, 'slot5');
  // After the stop the edit is what counts.
  t.is(effectiveForwarding({ own: edited, bulk: stopped }).setting?.slots[4], '0699990000');
  // A member refused at start stays unforwarded by the group, even once slot 5 is filled.
  const refused = effectiveForwarding({
    own: withSlot5(own, '0699990000'),
    bulk: { groupStarted: true, startTarget: null },
  });
  t.is(refused.source, 'own');
  t.is(refused.bulkError, 'slot 5 has no forwarding target');
  // And a member with no own setting at all still forwards to the recorded target.
  t.is(effectiveForwarding({ own: undefined, bulk: recorded }).setting?.slots[4], BULK_TARGET);
});

const numberArb = fc.constantFrom(
  '0312345678',
  '09012345678',
  '05012345678',
  '0667778888',
  '01012125550123',
);
const slotArb = fc.option(numberArb, { nil: null });
const settingArb: fc.Arbitrary<ForwardingSetting> = fc.record({
  enabled: fc.boolean(),
  unconditional: fc.boolean(),
  onBusy: fc.boolean(),
  onNoAnswer: fc.boolean(),
  onUnreachable: fc.boolean(),
  ringTimeSeconds: fc.integer({ min: 5, max: 30 }),
  activeTarget: fc.constantFrom('slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'voicemail', null),
  slots: fc.tuple(slotArb, slotArb, slotArb, slotArb, slotArb),
});

test('property: a started member with a slot-5 target is forwarded there unconditionally, whatever else is stored', (t) => {
  fc.assert(
    fc.property(
      settingArb,
      fc.option(settingArb, { nil: undefined }),
      numberArb,
      (stored, pattern, slot5) => {
        const member = withSlot5(stored, slot5);
        const sources: ForwardingSources = { own: member, bulk: started };
        if (pattern !== undefined) sources.scheduled = pattern;
        const effective = effectiveForwarding(sources);
        const plan = decideIncoming(call, callee(effective.setting));
        return (
          effective.source === 'bulk' &&
          effective.bulkError === undefined &&
          plan.action === 'forward' &&
          plan.number === slot5 &&
          plan.reason === 'unconditional'
        );
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: without a started group the result is the schedule, else the own setting, and never a bulk error', (t) => {
  fc.assert(
    fc.property(
      fc.option(settingArb, { nil: undefined }),
      fc.option(settingArb, { nil: undefined }),
      fc.constantFrom(undefined, stopped),
      (stored, pattern, bulk) => {
        const sources: ForwardingSources = { own: stored };
        if (pattern !== undefined) sources.scheduled = pattern;
        if (bulk !== undefined) sources.bulk = bulk;
        const effective = effectiveForwarding(sources);
        const expected = pattern ?? stored;
        return effective.setting === expected && !('bulkError' in effective);
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});
