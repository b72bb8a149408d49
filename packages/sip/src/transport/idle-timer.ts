// Closes a connection that carried nothing for a while; every read or write rearms it.
import type { Clock, TimerHandle } from '../core/clock.ts';

export class IdleTimer {
  readonly #clock: Clock;
  readonly #ms: number;
  readonly #onIdle: () => void;
  #handle: TimerHandle | undefined;

  constructor(clock: Clock, ms: number, onIdle: () => void) {
    this.#clock = clock;
    this.#ms = ms;
    this.#onIdle = onIdle;
    this.touch();
  }

  touch(): void {
    if (this.#ms <= 0) return;
    this.stop();
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined;
      this.#onIdle();
    }, this.#ms);
  }

  stop(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
