import test from 'ava';
import {
  callerIdFor,
  decideOutgoing,
  restricts,
  splitCallerIdPrefix,
  type OutgoingCaller,
  type RestrictionCategory,
} from '../src/outgoing.ts';

const OWN = '0311112222';

const caller = (change: Partial<OutgoingCaller> = {}): OutgoingCaller => ({
  number: OWN,
  presentation: 'present',
  internationalBarring: false,
  restrictions: [],
  ...change,
});

test('§3.6: 184 and 186 come off the dialled number', (t) => {
  t.deepEqual(splitCallerIdPrefix('1840312345678'), { prefix: '184', number: '0312345678' });
  t.deepEqual(splitCallerIdPrefix('186110'), { prefix: '186', number: '110' });
  t.deepEqual(splitCallerIdPrefix('0312345678'), { number: '0312345678' });
  // A bare 184 is a number of its own (and not a prefix with nothing after it).
  t.deepEqual(splitCallerIdPrefix('184'), { number: '184' });
});

test('§3.6: the setting decides unless the call carries a prefix', (t) => {
  t.deepEqual(callerIdFor(caller()), { presentation: 'present', number: OWN });
  t.deepEqual(callerIdFor(caller({ presentation: 'withhold' })), {
    presentation: 'withhold',
    number: OWN,
  });
  t.is(callerIdFor(caller(), '184').presentation, 'withhold');
  t.is(callerIdFor(caller({ presentation: 'withhold' }), '186').presentation, 'present');
});

test('§3.6: specific number presentation, then a hunt pilot, replace the own number', (t) => {
  t.is(callerIdFor(caller({ specificNumber: '0120123456' })).number, '0120123456');
  t.is(callerIdFor(caller({ pilotNumber: '0311110000' })).number, '0311110000');
  t.is(
    callerIdFor(caller({ specificNumber: '0120123456', pilotNumber: '0311110000' })).number,
    '0120123456',
  );
});

test('§3.9: a barred number cannot call 010 numbers, and hears why', (t) => {
  const plan = decideOutgoing({ number: '01012125550123' }, caller({ internationalBarring: true }));
  t.like(plan, { action: 'announce', guidance: 'international-barred', status: 403 });
  t.like(decideOutgoing({ number: '0312345678' }, caller({ internationalBarring: true })), {
    action: 'call',
  });
  t.like(decideOutgoing({ number: '01012125550123' }, caller()), { action: 'call' });
});

test('§3.10: each category restricts its calls only', (t) => {
  const cases: Array<[RestrictionCategory, string, boolean]> = [
    ['international', '01012125550123', true],
    ['international', '0312345678', false],
    ['premium_rate_0990', '0990123456', true],
    ['premium_rate_0990', '0570123456', false],
    ['navi_dial_0570', '0570123456', true],
    ['navi_dial_0570', '0120123456', false],
    ['all_except_emergency', '0312345678', true],
    ['all_except_emergency', '09012345678', true],
  ];
  for (const [category, number, restricted] of cases) {
    t.is(restricts(category, number), restricted, `${category} ${number}`);
    const plan = decideOutgoing({ number }, caller({ restrictions: [category] }));
    t.is(plan.action, restricted ? 'announce' : 'call', `${category} ${number}`);
    if (plan.action === 'announce') t.like(plan, { guidance: 'outgoing-restricted', status: 403 });
  }
});

test('§3.10: emergency numbers pass every restriction and barring', (t) => {
  const everything = caller({
    internationalBarring: true,
    restrictions: ['all_except_emergency', 'international', 'premium_rate_0990', 'navi_dial_0570'],
  });
  for (const number of ['110', '118', '119']) {
    t.like(decideOutgoing({ number }, everything), { action: 'call' }, number);
    t.like(decideOutgoing({ prefix: '184', number }, everything), {
      action: 'call',
      callerId: { presentation: 'withhold' },
    });
  }
});

test('barring is told before the restriction when both apply', (t) => {
  const plan = decideOutgoing(
    { number: '01012125550123' },
    caller({ internationalBarring: true, restrictions: ['international'] }),
  );
  t.like(plan, { guidance: 'international-barred' });
});
