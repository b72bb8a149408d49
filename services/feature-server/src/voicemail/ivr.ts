// A voice menu over one answered call: prompts that the caller may interrupt with a key
// (barge-in), and digits collected by RFC 4733 events or SIP INFO until a terminator, a
// count, or a pause. Keys pressed while nothing asks (during a message that cannot be
// interrupted) are kept and answer the next question: callers who know the menu type ahead.
import type { Prompt } from '@ipvoice/media';
import type { Clock } from '@ipvoice/sip';
import type { MediaCall } from '../calls/media-calls.ts';

/** Thrown when the caller hangs up while the menu waits for them. */
export class CallEnded extends Error {
  override readonly name = 'CallEnded';
}

export interface AskOptions {
  /** Digits wanted at most; the answer is complete at this many. */
  max: number;
  /** Ends the answer early (not part of it); default '#'. */
  terminator?: string;
  /** Waiting for the first key after the prompts ended; default 8 s. */
  firstDigitMs?: number;
  /** Waiting for each further key; default 4 s. */
  nextDigitMs?: number;
}

export class Ivr {
  readonly #call: MediaCall;
  readonly #clock: Clock;
  /** Keys pressed while no question was open. */
  #typed = '';
  /** The open question's key handler. */
  #asking: ((digit: string) => void) | undefined;

  constructor(call: MediaCall, clock: Clock) {
    this.#call = call;
    this.#clock = clock;
    call.session.onDtmf((digit) => {
      if (this.#asking) this.#asking(digit);
      else this.#typed += digit;
    });
  }

  /** Plays prompts to the end (no barge-in); throws CallEnded if the caller hangs up. */
  async say(prompts: Prompt[]): Promise<void> {
    if (this.#call.ended) throw new CallEnded();
    await this.#call.session.play(prompts);
    if (this.#call.ended) throw new CallEnded();
  }

  /**
   * Plays `prompts` and collects the caller's keys; the first key stops the prompts. Resolves
   * with the digits ('' when the caller pressed nothing in time).
   */
  ask(prompts: Prompt[], options: AskOptions): Promise<string> {
    const call = this.#call;
    const terminator = options.terminator ?? '#';
    return new Promise<string>((resolve, reject) => {
      let digits = '';
      let pressed = false;
      let settled = false;
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        this.#asking = undefined;
        call.session.stop();
        if (error) reject(error);
        else resolve(digits);
      };
      const wait = (ms: number) => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        timer = this.#clock.setTimeout(() => finish(), ms);
      };
      const key = (digit: string) => {
        if (!pressed) call.session.stop();
        pressed = true;
        if (digit === terminator) return finish();
        digits += digit;
        if (digits.length >= options.max) return finish();
        wait(options.nextDigitMs ?? 4000);
      };
      // Keys typed ahead answer first; what is left over waits for the next question.
      const typed = this.#typed;
      this.#typed = '';
      for (const [i, digit] of [...typed].entries()) {
        if (settled) {
          this.#typed = typed.slice(i);
          break;
        }
        key(digit);
      }
      if (settled) return;
      this.#asking = key;
      call.onEnd(() => finish(new CallEnded()));
      // A caller already typing needs no prompt.
      if (pressed) return;
      void call.session.play(prompts).then(() => {
        if (!settled && !pressed) wait(options.firstDigitMs ?? 8000);
      });
    });
  }
}
