import test from 'ava';
import { depositPlan, mailOnDeposit } from '../src/voicemail.ts';

const plans: Array<[string, Parameters<typeof depositPlan>, ReturnType<typeof depositPlan>]> = [
  ['an empty recording box records', [{ guidance: 'record', maxMessages: 20 }, 0], 'record'],
  ['a box one short of full records', [{ guidance: 'record', maxMessages: 20 }, 19], 'record'],
  ['a box at its limit is full', [{ guidance: 'record', maxMessages: 20 }, 20], 'box-full'],
  ['a box above a lowered limit is full', [{ guidance: 'record', maxMessages: 5 }, 20], 'box-full'],
  [
    'an announce-only box only announces',
    [{ guidance: 'announce_only', maxMessages: 20 }, 0],
    'announce-only',
  ],
  [
    'an announce-only box is never full',
    [{ guidance: 'announce_only', maxMessages: 20 }, 20],
    'announce-only',
  ],
];
for (const [name, args, plan] of plans) {
  test(`§3.11 deposit: ${name}`, (t) => {
    t.is(depositPlan(...args), plan);
  });
}

const mails: Array<[Parameters<typeof mailOnDeposit>[0], boolean, boolean]> = [
  ['none', true, false],
  ['none', false, false],
  ['on_call', true, true],
  ['on_call', false, true],
  ['on_recording', true, true],
  ['on_recording', false, false],
];
for (const [condition, recorded, mail] of mails) {
  test(`§3.11 mail: ${condition}, ${recorded ? 'a message left' : 'no message'} → ${mail ? 'mail' : 'no mail'}`, (t) => {
    t.is(mailOnDeposit(condition, recorded), mail);
  });
}
