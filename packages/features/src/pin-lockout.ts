// SPEC §3.11 retrieval: a box whose PIN is guessed wrong too often stops accepting PINs for a
// while. Beyond the SPEC, which names no limit; the policy comes from configuration.

/** What a box remembers between calls. Times are epoch milliseconds. */
export interface PinLockState {
  /** Wrong PINs since the last correct one or the last lock. */
  failures: number;
  /** While `now < lockedUntil` every PIN is refused; null when not locked. */
  lockedUntil: number | null;
}

export interface PinLockPolicy {
  /** The wrong PIN that brings `failures` to this many locks the box. */
  maxFailures: number;
  lockMs: number;
}

/**
 * `ok`: the PIN is accepted. `wrong`: refused, the caller may try again. `locked`: refused
 * because the box is locked, including by this very attempt; the caller should be told and
 * the retrieval ended.
 */
export type PinAttemptOutcome = 'ok' | 'wrong' | 'locked';

export interface PinAttemptResult {
  state: PinLockState;
  outcome: PinAttemptOutcome;
}

const unlocked: PinLockState = { failures: 0, lockedUntil: null };

/**
 * One PIN entry against a box's lock state. A locked box refuses even the correct PIN, and
 * its state is left as is (attempts during a lock neither extend it nor count). Once the lock
 * has expired (`now >= lockedUntil`) the count starts again from 0.
 */
export function pinAttempt(
  state: PinLockState,
  correct: boolean,
  now: number,
  policy: PinLockPolicy,
): PinAttemptResult {
  if (state.lockedUntil !== null && now < state.lockedUntil) return { state, outcome: 'locked' };
  const current = state.lockedUntil === null ? state : unlocked;
  if (correct) return { state: unlocked, outcome: 'ok' };
  const failures = current.failures + 1;
  if (failures >= policy.maxFailures)
    return { state: { failures, lockedUntil: now + policy.lockMs }, outcome: 'locked' };
  return { state: { failures, lockedUntil: null }, outcome: 'wrong' };
}
