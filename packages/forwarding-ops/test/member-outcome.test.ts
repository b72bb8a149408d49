import test from 'ava';
import { bulkStartReasons } from '@ipvoice/features';
import {
  type EffectiveTarget,
  type MemberFacts,
  startOutcome,
  stopOutcome,
  stopReasons,
} from '../src/index.ts';
import { ownWithSlot5 } from './helpers/seed.ts';

const member = (facts: Partial<MemberFacts>): MemberFacts => ({
  numberId: 1,
  number: '0312345678',
  own: ownWithSlot5('09011112222'),
  scheduled: undefined,
  inOtherStartedGroup: false,
  ...facts,
});

const nightPattern = { ...ownWithSlot5(null), unconditional: true, onNoAnswer: false };
const own = (target: string): EffectiveTarget => ({ source: 'own', target });
const bulk = (target: string): EffectiveTarget => ({ source: 'bulk', target });

const starts: Array<{
  name: string;
  facts: Partial<MemberFacts>;
  outcome: 'ok' | 'error';
  reason: string | RegExp | null;
  before: EffectiveTarget;
  after: EffectiveTarget;
}> = [
  {
    name: 'a member with slot 5 goes from its own target to slot 5',
    facts: {},
    outcome: 'ok',
    reason: null,
    before: own('0311112222'),
    after: bulk('09011112222'),
  },
  {
    name: 'a member without slot 5 keeps its own setting and is reported',
    facts: { own: ownWithSlot5(null) },
    outcome: 'error',
    reason: bulkStartReasons.noSlot5,
    before: own('0311112222'),
    after: own('0311112222'),
  },
  {
    name: 'a member with no forwarding setting at all is reported and not forwarded',
    facts: { own: undefined },
    outcome: 'error',
    reason: bulkStartReasons.noSlot5,
    before: { source: 'none', target: null },
    after: { source: 'none', target: null },
  },
  {
    name: 'a slot-5 number the numbering rules refuse is reported',
    facts: { own: ownWithSlot5('0120123456') },
    outcome: 'error',
    reason: /^slot 5 holds 0120123456, which cannot be a forwarding target: /,
    before: own('0311112222'),
    after: own('0311112222'),
  },
  {
    name: 'a member on a schedule goes from the scheduled pattern to slot 5',
    facts: { scheduled: { ...nightPattern, slots: ['0699998888', null, null, null, null] } },
    outcome: 'ok',
    reason: null,
    before: { source: 'schedule', target: '0699998888' },
    after: bulk('09011112222'),
  },
  {
    name: 'a member already forwarded by another started group stays on slot 5',
    facts: { inOtherStartedGroup: true },
    outcome: 'ok',
    reason: null,
    before: bulk('09011112222'),
    after: bulk('09011112222'),
  },
];

for (const row of starts) {
  test(`start: ${row.name}`, (t) => {
    const o = startOutcome(member(row.facts));
    t.is(o.result.outcome, row.outcome);
    if (row.reason instanceof RegExp) t.regex(o.result.reason ?? '', row.reason);
    else t.is(o.result.reason, row.reason);
    t.deepEqual(o.before, row.before);
    t.deepEqual(o.after, row.after);
  });
}

test('stop: a member goes back from slot 5 to its own target', (t) => {
  const o = stopOutcome(member({}));
  t.deepEqual(o.result, { number: '0312345678', outcome: 'ok', reason: null });
  t.deepEqual(o.before, bulk('09011112222'));
  t.deepEqual(o.after, own('0311112222'));
});

test('stop: a member of another started group is ok and says it stays forwarded', (t) => {
  const o = stopOutcome(member({ inOtherStartedGroup: true }));
  t.deepEqual(o.result, {
    number: '0312345678',
    outcome: 'ok',
    reason: stopReasons.stillStarted,
  });
  t.deepEqual(o.after, bulk('09011112222'));
});

test('stop: a member that forwards to voicemail goes back to voicemail', (t) => {
  const o = stopOutcome(
    member({ own: { ...ownWithSlot5('09011112222'), activeTarget: 'voicemail' } }),
  );
  t.deepEqual(o.after, own('voicemail'));
});
