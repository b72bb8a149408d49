// A MediaClock for tests (STYLE.md rule 2): time moves only when the test says so.
import type { MediaClock, TimerHandle } from '../../src/index.ts';

/** Time that moves only when told; timers fire in deadline order during advance(). */
export class ManualClock implements MediaClock {
  #now = 1000;
  #next = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    if ('id' in handle && typeof handle.id === 'number') this.#timers.delete(handle.id);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Jumps `ms` ahead at once, like an event loop that was busy, then runs what fell due. */
  advance(ms: number): void {
    this.#now += ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= this.#now);
      const first = due.sort(([, a], [, b]) => a.at - b.at)[0];
      if (!first) return;
      this.#timers.delete(first[0]);
      first[1].fn();
    }
  }
}
