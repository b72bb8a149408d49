import test from 'ava';
import {
  settingMessages as s,
  targetMessages as m,
  validateForwardingSetting,
  type SettingContext,
  type SettingProblem,
} from '../src/forwarding-target.ts';
import type { ForwardingSetting } from '../src/types.ts';

const base: ForwardingSetting = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: 'slot1',
  slots: ['0312345678', null, null, null, null],
};
const context: SettingContext = { ownNumber: '0311112222', subscriptions: new Set() };

const slots = (...values: (string | null)[]): ForwardingSetting['slots'] => [
  values[0] ?? null,
  values[1] ?? null,
  values[2] ?? null,
  values[3] ?? null,
  values[4] ?? null,
];

// [what the row shows, change to the base setting, context, problems expected]
const rows: [string, Partial<ForwardingSetting>, SettingContext, SettingProblem[]][] = [
  ['a valid setting has no problems', {}, context, []],
  [
    'unconditional alone is valid',
    { unconditional: true, onBusy: false, onNoAnswer: false },
    context,
    [],
  ],
  [
    'unconditional with busy is refused',
    { unconditional: true, onNoAnswer: false },
    context,
    [{ field: 'unconditional', message: s.unconditionalExclusive }],
  ],
  [
    'unconditional with unreachable is refused',
    { unconditional: true, onBusy: false, onNoAnswer: false, onUnreachable: true },
    context,
    [{ field: 'unconditional', message: s.unconditionalExclusive }],
  ],
  [
    'on without any condition is refused',
    { onBusy: false, onNoAnswer: false },
    context,
    [{ field: 'enabled', message: s.noCondition }],
  ],
  [
    'off without any condition is valid',
    { enabled: false, onBusy: false, onNoAnswer: false },
    context,
    [],
  ],
  ['ring time 5 s is valid', { ringTimeSeconds: 5 }, context, []],
  ['ring time 30 s is valid', { ringTimeSeconds: 30 }, context, []],
  [
    'ring time 4 s is refused',
    { ringTimeSeconds: 4 },
    context,
    [{ field: 'ringTimeSeconds', message: s.ringTime }],
  ],
  [
    'ring time 31 s is refused',
    { ringTimeSeconds: 31 },
    context,
    [{ field: 'ringTimeSeconds', message: s.ringTime }],
  ],
  [
    'ring time 12.5 s is refused',
    { ringTimeSeconds: 12.5 },
    context,
    [{ field: 'ringTimeSeconds', message: s.ringTime }],
  ],
  [
    'ring time NaN is refused',
    { ringTimeSeconds: Number.NaN },
    context,
    [{ field: 'ringTimeSeconds', message: s.ringTime }],
  ],
  [
    'an active target naming an empty slot is refused',
    { activeTarget: 'slot3' },
    context,
    [{ field: 'activeTarget', message: s.emptySlot(3) }],
  ],
  [
    'an active target naming a filled slot is valid',
    { activeTarget: 'slot3', slots: slots(null, null, '09012345678') },
    context,
    [],
  ],
  [
    'on without a target is refused',
    { activeTarget: null },
    context,
    [{ field: 'activeTarget', message: s.noTarget }],
  ],
  ['off without a target is valid', { enabled: false, activeTarget: null }, context, []],
  [
    'voicemail without the subscription is refused',
    { activeTarget: 'voicemail' },
    context,
    [{ field: 'activeTarget', message: s.voicemailNotSubscribed }],
  ],
  [
    'voicemail with the subscription is valid',
    { activeTarget: 'voicemail' },
    { ...context, subscriptions: new Set(['voicemail']) },
    [],
  ],
  [
    'an invalid filled slot is refused with its slot and rule',
    { slots: slots('0312345678', null, null, '0120-123-456') },
    context,
    [{ field: 'slot4', message: s.slot(4, m.tollFree('0120')) }],
  ],
  [
    'an inactive slot holding the own number is refused',
    { slots: slots('0312345678', '03-1111-2222') },
    context,
    [{ field: 'slot2', message: s.slot(2, m.self) }],
  ],
  [
    'an international slot under international barring is refused',
    { slots: slots('0312345678', null, '010-1-2125550123') },
    { ...context, internationalBarring: true },
    [{ field: 'slot3', message: s.slot(3, m.internationalBarred) }],
  ],
  [
    'slot 5 must be set when bulk forwarding is subscribed',
    {},
    { ...context, subscriptions: new Set(['bulk_forwarding']) },
    [{ field: 'slot5', message: s.bulkSlot5 }],
  ],
  [
    'slot 5 set with bulk forwarding subscribed is valid',
    { slots: slots('0312345678', null, null, null, '0451234567') },
    { ...context, subscriptions: new Set(['bulk_forwarding']) },
    [],
  ],
  [
    'every problem is reported, in field order',
    {
      unconditional: true,
      ringTimeSeconds: 0,
      activeTarget: 'slot2',
      slots: slots('110', null, '#31#'),
    },
    { ...context, subscriptions: new Set(['bulk_forwarding']) },
    [
      { field: 'unconditional', message: s.unconditionalExclusive },
      { field: 'ringTimeSeconds', message: s.ringTime },
      { field: 'activeTarget', message: s.emptySlot(2) },
      { field: 'slot1', message: s.slot(1, m.shortCode('110')) },
      { field: 'slot3', message: s.slot(3, m.hash) },
      { field: 'slot5', message: s.bulkSlot5 },
    ],
  ],
];

for (const [name, change, ctx, expected] of rows) {
  test(`forwarding setting: ${name}`, (t) => {
    t.deepEqual(validateForwardingSetting({ ...base, ...change }, ctx), expected);
  });
}
