import test from 'ava';
import {
  incomingNoticeWanted,
  type IncomingNoticeCall,
  type IncomingNoticeOutcome,
  type IncomingNoticeSettings,
} from '../src/incoming-notice.ts';

const settings = (change: Partial<IncomingNoticeSettings> = {}): IncomingNoticeSettings => ({
  enabled: true,
  callers: 'all',
  callerList: ['03-1234-5678', '+81 90 1111 2222'],
  calls: 'all',
  ...change,
});
const listed = settings({ callers: 'listed' });

const named: Array<[string, IncomingNoticeSettings, IncomingNoticeCall, boolean]> = [
  ['mails an answered call from anyone', settings(), { outcome: 'answered' }, true],
  ['stays silent when switched off', settings({ enabled: false }), { outcome: 'no_answer' }, false],
  ['mails a listed caller', listed, { callerNumber: '0312345678', outcome: 'answered' }, true],
  [
    'matches a listed number written another way (+81…)',
    listed,
    { callerNumber: '+81312345678', outcome: 'answered' },
    true,
  ],
  [
    'matches a list entry written internationally against a national caller',
    listed,
    { callerNumber: '09011112222', outcome: 'busy' },
    true,
  ],
  [
    'ignores a caller not on the list',
    listed,
    { callerNumber: '0311112222', outcome: 'answered' },
    false,
  ],
  [
    'an anonymous caller never matches the list, even when a number came with it',
    listed,
    { callerNumber: '0312345678', anonymity: 'withheld', outcome: 'no_answer' },
    false,
  ],
  ['a caller without a number never matches the list', listed, { outcome: 'no_answer' }, false],
  [
    'an empty list matches nobody',
    settings({ callers: 'listed', callerList: [] }),
    { callerNumber: '0312345678', outcome: 'answered' },
    false,
  ],
  [
    'an anonymous caller is mailed when all callers are wanted',
    settings(),
    { anonymity: 'payphone', outcome: 'no_answer' },
    true,
  ],
  [
    'unanswered only: an answered call is not mailed',
    settings({ calls: 'unanswered' }),
    { outcome: 'answered' },
    false,
  ],
  [
    'unanswered only: a forwarded call is mailed',
    settings({ calls: 'unanswered' }),
    { outcome: 'forwarded' },
    true,
  ],
  [
    'a caller refused by screening never rang: no mail even for all calls',
    settings(),
    { callerNumber: '0312345678', outcome: 'rejected' },
    false,
  ],
  ['a failed call is not mailed', settings(), { outcome: 'failed' }, false],
  [
    'unanswered only: a call taken by voicemail counts as forwarded',
    settings({ calls: 'unanswered' }),
    { outcome: 'voicemail' },
    true,
  ],
];
for (const [name, s, call, wanted] of named) {
  test(`§3.12 ${name}`, (t) => {
    t.is(incomingNoticeWanted(s, call), wanted);
  });
}

// Every combination, against the SPEC's sentences written out one by one.
const callers: Array<[string, Omit<IncomingNoticeCall, 'outcome'>, boolean]> = [
  ['a listed caller', { callerNumber: '0312345678' }, true],
  ['a listed caller in another form', { callerNumber: '81-3-1234-5678' }, true],
  ['an unlisted caller', { callerNumber: '0698765432' }, false],
  ['a caller without a number', {}, false],
  ['a withheld caller', { anonymity: 'withheld' }, false],
  [
    'a withheld caller whose number came anyway',
    { callerNumber: '0312345678', anonymity: 'withheld' },
    false,
  ],
  ['a payphone', { anonymity: 'payphone' }, false],
  ['an unavailable caller', { anonymity: 'unavailable' }, false],
];
const outcomes: IncomingNoticeOutcome[] = [
  'answered',
  'no_answer',
  'forwarded',
  'voicemail',
  'busy',
  'rejected',
  'failed',
];
const unanswered = new Set<IncomingNoticeOutcome>(['no_answer', 'forwarded', 'voicemail', 'busy']);
const reachedTheSubscriber = new Set<IncomingNoticeOutcome>([...unanswered, 'answered']);

for (const enabled of [true, false])
  for (const who of ['all', 'listed'] as const)
    for (const which of ['all', 'unanswered'] as const)
      for (const [callerName, caller, onList] of callers)
        for (const outcome of outcomes) {
          const wanted =
            enabled &&
            reachedTheSubscriber.has(outcome) &&
            (which === 'all' || unanswered.has(outcome)) &&
            (who === 'all' || onList);
          test(`§3.12 ${enabled ? 'on' : 'off'}, ${who} callers, ${which} calls: ${callerName}, ${outcome} → ${wanted ? 'mail' : 'no mail'}`, (t) => {
            t.is(
              incomingNoticeWanted(settings({ enabled, callers: who, calls: which }), {
                ...caller,
                outcome,
              }),
              wanted,
            );
          });
        }
