import test from 'ava';
import fc from 'fast-check';
import { pinAttempt, type PinLockState } from '../src/pin-lockout.ts';

const policy = { maxFailures: 3, lockMs: 15 * 60_000 };
const fresh: PinLockState = { failures: 0, lockedUntil: null };
const T = 1_700_000_000_000;

const cases: Array<[string, PinLockState, boolean, number, ReturnType<typeof pinAttempt>]> = [
  ['a correct PIN on a fresh box is accepted', fresh, true, T, { state: fresh, outcome: 'ok' }],
  [
    'a wrong PIN counts one failure',
    fresh,
    false,
    T,
    { state: { failures: 1, lockedUntil: null }, outcome: 'wrong' },
  ],
  [
    'a correct PIN clears earlier failures',
    { failures: 2, lockedUntil: null },
    true,
    T,
    { state: fresh, outcome: 'ok' },
  ],
  [
    'the failure that reaches the limit locks the box for lockMs',
    { failures: 2, lockedUntil: null },
    false,
    T,
    { state: { failures: 3, lockedUntil: T + policy.lockMs }, outcome: 'locked' },
  ],
  [
    'a locked box refuses the correct PIN and stays as it was',
    { failures: 3, lockedUntil: T + 1 },
    true,
    T,
    { state: { failures: 3, lockedUntil: T + 1 }, outcome: 'locked' },
  ],
  [
    'a wrong PIN during a lock neither counts nor extends it',
    { failures: 3, lockedUntil: T + 1 },
    false,
    T,
    { state: { failures: 3, lockedUntil: T + 1 }, outcome: 'locked' },
  ],
  [
    'the lock ends at lockedUntil: a correct PIN then is accepted',
    { failures: 3, lockedUntil: T },
    true,
    T,
    { state: fresh, outcome: 'ok' },
  ],
  [
    'after the lock a wrong PIN counts from 0 again',
    { failures: 3, lockedUntil: T - 1 },
    false,
    T,
    { state: { failures: 1, lockedUntil: null }, outcome: 'wrong' },
  ],
  [
    'failures stored above a lowered limit lock at the next wrong PIN',
    { failures: 7, lockedUntil: null },
    false,
    T,
    { state: { failures: 8, lockedUntil: T + policy.lockMs }, outcome: 'locked' },
  ],
];
for (const [name, state, correct, now, result] of cases) {
  test(name, (t) => {
    t.deepEqual(pinAttempt(state, correct, now, policy), result);
  });
}

test('with maxFailures 1 the first wrong PIN locks', (t) => {
  t.deepEqual(pinAttempt(fresh, false, T, { maxFailures: 1, lockMs: 1000 }), {
    state: { failures: 1, lockedUntil: T + 1000 },
    outcome: 'locked',
  });
});

test('a caller guessing 3 times is locked out, then can try again 15 minutes later', (t) => {
  let state = fresh;
  const outcomes: string[] = [];
  const attempt = (correct: boolean, at: number) => {
    const r = pinAttempt(state, correct, at, policy);
    state = r.state;
    outcomes.push(r.outcome);
  };
  attempt(false, T);
  attempt(false, T + 1000);
  attempt(false, T + 2000);
  attempt(true, T + 3000);
  attempt(true, T + 2000 + policy.lockMs - 1);
  attempt(false, T + 2000 + policy.lockMs);
  attempt(true, T + 2000 + policy.lockMs + 1);
  t.deepEqual(outcomes, ['wrong', 'wrong', 'locked', 'locked', 'locked', 'wrong', 'ok']);
  t.deepEqual(state, fresh);
});

test('over any sequence of attempts, the rule holds step by step', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ correct: fc.boolean(), gap: fc.nat(policy.lockMs * 2) }), {
        maxLength: 40,
      }),
      (attempts) => {
        let state = fresh;
        let now = T;
        for (const { correct, gap } of attempts) {
          now += gap;
          const locked = state.lockedUntil !== null && now < state.lockedUntil;
          const { state: next, outcome } = pinAttempt(state, correct, now, policy);
          if (locked) {
            t.is(outcome, 'locked');
            t.is(next, state);
          } else if (correct) {
            t.is(outcome, 'ok');
            t.deepEqual(next, fresh);
          } else {
            t.not(outcome, 'ok');
            t.true(next.failures >= 1 && next.failures <= policy.maxFailures);
            t.is(outcome === 'locked', next.failures === policy.maxFailures);
            t.is(next.lockedUntil, outcome === 'locked' ? now + policy.lockMs : null);
          }
          state = next;
        }
      },
    ),
  );
});
