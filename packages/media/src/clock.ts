// Time and randomness are injected (STYLE.md rule 2). Pacing needs a monotonic clock in
// milliseconds, not wall time: performance.now() does not jump when the system clock is set.
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

export interface MediaClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const monotonicClock: MediaClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A uniform integer in [0, maxExclusive); maxExclusive is at most 2^48. */
export type RandomInt = (maxExclusive: number) => number;

export const cryptoRandomInt: RandomInt = (maxExclusive) => randomInt(maxExclusive);
