import test from 'ava';
import { decideIncoming } from '../src/decide.ts';
import { screenIncoming } from '../src/screening.ts';
import type { CallFacts, CalleeFacts, Screening } from '../src/types.ts';

const CALLEE = '0311112222';
const NUISANCE = '09011112222';

const screening = (change: Partial<Screening> = {}): Screening => ({
  rejectAnonymous: true,
  blockedCallers: ['090-1111-2222', '0355556666'],
  ...change,
});

const call = (change: Partial<CallFacts> = {}): CallFacts => ({
  callerNumber: '0312345678',
  calledNumber: CALLEE,
  forwardedFrom: [],
  ...change,
});

const callee = (change: Partial<CalleeFacts> = {}): CalleeFacts => ({
  number: CALLEE,
  forwarding: undefined,
  subscriptions: new Set(),
  internationalBarring: false,
  registered: true,
  channelAvailable: true,
  screening: screening(),
  ...change,
});

test('§3.7: a withheld caller hears the guidance and gets 433 Anonymity Disallowed', (t) => {
  const plan = screenIncoming(
    call({ callerNumber: undefined, anonymity: 'withheld' }),
    screening(),
  );
  t.deepEqual(plan, {
    action: 'announce',
    guidance: 'anonymous-rejected',
    status: 433,
    reason: 'Anonymity Disallowed',
    cause: 'anonymous-rejected',
  });
});

test('§3.7: rejection switched off lets a withheld caller through', (t) => {
  const plan = screenIncoming(
    call({ callerNumber: undefined, anonymity: 'withheld' }),
    screening({ rejectAnonymous: false }),
  );
  t.is(plan, undefined);
});

test('§3.7: payphones and unavailable numbers are not refused as anonymous', (t) => {
  for (const anonymity of ['payphone', 'unavailable'] as const) {
    t.is(screenIncoming(call({ callerNumber: undefined, anonymity }), screening()), undefined);
  }
});

test('§3.8: a listed caller is declined with the guidance, whatever form the list uses', (t) => {
  for (const caller of [NUISANCE, '0355556666']) {
    const plan = screenIncoming(call({ callerNumber: caller }), screening());
    t.like(plan, { guidance: 'nuisance-blocked', status: 603, cause: 'nuisance-blocked' }, caller);
  }
});

test('§3.8: an unlisted caller passes', (t) => {
  t.is(screenIncoming(call({ callerNumber: '0355556667' }), screening()), undefined);
});

test('§3.8: payphones and callers without a number cannot be blocked', (t) => {
  t.is(
    screenIncoming(call({ callerNumber: NUISANCE, anonymity: 'payphone' }), screening()),
    undefined,
  );
  t.is(
    screenIncoming(
      call({ callerNumber: undefined, anonymity: 'unavailable' }),
      screening({ blockedCallers: [NUISANCE] }),
    ),
    undefined,
  );
});

test('§3.8: a withheld caller on the list is refused only by anonymous rejection', (t) => {
  const withheld = call({ callerNumber: undefined, anonymity: 'withheld' });
  t.is(screenIncoming(withheld, screening({ rejectAnonymous: false })), undefined);
});

test('screening comes before forwarding: a blocked caller is not forwarded', (t) => {
  const plan = decideIncoming(
    call({ callerNumber: NUISANCE }),
    callee({
      forwarding: {
        enabled: true,
        unconditional: true,
        onBusy: false,
        onNoAnswer: false,
        onUnreachable: false,
        ringTimeSeconds: 20,
        activeTarget: 'slot1',
        slots: ['0312345679', null, null, null, null],
      },
    }),
  );
  t.like(plan, { action: 'announce', guidance: 'nuisance-blocked' });
});

test('screening comes before hunting and before the busy line', (t) => {
  const withheld = call({ callerNumber: undefined, anonymity: 'withheld' });
  t.like(decideIncoming(withheld, callee({ hunting: true })), { action: 'announce' });
  t.like(decideIncoming(withheld, callee({ channelAvailable: false })), { action: 'announce' });
  t.deepEqual(decideIncoming(call(), callee({ hunting: true })), { action: 'hunt' });
});

test('without screening facts the call rings', (t) => {
  const plan = decideIncoming(
    call({ callerNumber: undefined, anonymity: 'withheld' }),
    callee({ screening: undefined }),
  );
  t.is(plan.action, 'ring');
});
