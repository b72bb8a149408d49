import test from 'ava';
import {
  blockedCallerMessages,
  checkBlockedCaller,
  settingMessages,
  validateForwardingConditions,
} from '../src/index.ts';

const conditions = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
};

const conditionCases: Array<[string, Partial<typeof conditions>, string[]]> = [
  ['busy forwarding on is fine', {}, []],
  ['unconditional with busy is refused', { unconditional: true }, ['unconditional']],
  ['on without any condition is refused', { onBusy: false }, ['enabled']],
  ['off without any condition is fine', { enabled: false, onBusy: false }, []],
  ['ring time 4 s is refused', { ringTimeSeconds: 4 }, ['ringTimeSeconds']],
  ['ring time 30 s is fine', { ringTimeSeconds: 30 }, []],
  ['ring time 12.5 s is refused', { ringTimeSeconds: 12.5 }, ['ringTimeSeconds']],
];
for (const [title, change, fields] of conditionCases) {
  test(`special forwarding conditions: ${title}`, (t) => {
    t.deepEqual(
      validateForwardingConditions({ ...conditions, ...change }).map((p) => p.field),
      fields,
    );
  });
}

test('special forwarding conditions use the §3.1 messages', (t) => {
  t.is(
    validateForwardingConditions({ ...conditions, ringTimeSeconds: 31 })[0]?.message,
    settingMessages.ringTime,
  );
});

const callerCases: Array<[string, ReturnType<typeof checkBlockedCaller>]> = [
  ['03-1234-5678', { ok: true, number: '0312345678' }],
  ['090-1234-5678', { ok: true, number: '09012345678' }],
  ['01', { ok: true, number: '01' }],
  ['0012345678', { ok: false, message: blockedCallerMessages.number }],
  ['1234', { ok: false, message: blockedCallerMessages.number }],
  ['090123456789', { ok: false, message: blockedCallerMessages.number }],
  ['0-9-0-1234567', { ok: true, number: '0901234567' }],
  ['0-9-0-1-23456', { ok: false, message: blockedCallerMessages.hyphens }],
  ['090--1234--567', { ok: false, message: blockedCallerMessages.hyphens }],
  ['090-1234-56789', { ok: false, message: blockedCallerMessages.length }],
  ['+81312345678', { ok: false, message: blockedCallerMessages.characters }],
];
for (const [input, expected] of callerCases) {
  test(`blocked caller ${input}`, (t) => {
    t.deepEqual(checkBlockedCaller(input), expected);
  });
}
