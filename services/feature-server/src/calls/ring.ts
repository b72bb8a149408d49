// Ringing: one INVITE per destination, all at once (parallel forking by the B2BUA itself),
// ended by the first 2xx, by the caller's CANCEL, by the no-answer or unreachable timers of
// the plan (SPEC §3.1), or when every destination has given its final answer.
import type { RingOutcome } from '@ipvoice/features';
import type { Clock, OutgoingInvite, SipResponse, TimerHandle } from '@ipvoice/sip';

export type RingResult =
  | { kind: 'answered'; invite: OutgoingInvite; response: SipResponse }
  | { kind: 'outcome'; outcome: RingOutcome }
  /** Every destination refused with something that is neither busy nor unreachable. */
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'cancelled' };

export interface RingOptions {
  clock: Clock;
  /** Give up after this long (no-answer forwarding applies). */
  noAnswerAfterMs?: number;
  /** Give up when nothing at all has been heard after this long (unreachable forwarding). */
  unreachableAfterMs?: number;
  /** A provisional response worth telling the caller (180, 183 …; never 100). */
  onProvisional(response: SipResponse, invite: OutgoingInvite): void;
  /** Registers the caller's CANCEL. */
  onCallerCancel(fn: () => void): void;
}

/** SPEC §3.1: a device that answers 486 or 600 is busy; 480 or 404 means unreachable. The
 * local 408/503 of a timeout or transport failure is unreachable too. */
function classify(status: number): RingOutcome | undefined {
  if (status === 486 || status === 600) return 'busy';
  if (status === 480 || status === 404 || status === 408 || status === 503) return 'unreachable';
  return undefined;
}

export function ring(
  invites: readonly OutgoingInvite[],
  options: RingOptions,
): Promise<RingResult> {
  const { clock } = options;
  return new Promise<RingResult>((resolve) => {
    let done = false;
    let heard = false;
    const finals: SipResponse[] = [];
    const timers: TimerHandle[] = [];
    const finish = (result: RingResult, except?: OutgoingInvite): void => {
      if (done) return;
      done = true;
      for (const t of timers) clock.clearTimeout(t);
      for (const invite of invites) if (invite !== except) invite.cancel();
      resolve(result);
    };
    if (invites.length === 0) {
      finish({ kind: 'outcome', outcome: 'unreachable' });
      return;
    }
    options.onCallerCancel(() => finish({ kind: 'cancelled' }));
    if (options.noAnswerAfterMs !== undefined)
      timers.push(
        clock.setTimeout(
          () => finish({ kind: 'outcome', outcome: 'no-answer' }),
          options.noAnswerAfterMs,
        ),
      );
    if (options.unreachableAfterMs !== undefined)
      timers.push(
        clock.setTimeout(() => {
          if (!heard) finish({ kind: 'outcome', outcome: 'unreachable' });
        }, options.unreachableAfterMs),
      );
    for (const invite of invites) {
      invite.onProvisional((response) => {
        heard = true;
        if (!done && response.status > 100) options.onProvisional(response, invite);
      });
      void invite.final.then((response) => {
        // A local 408/503 is made up by our stack: nothing was heard from the device.
        if (!isLocal(response)) heard = true;
        if (done) return;
        if (response.status < 300) {
          finish({ kind: 'answered', invite, response }, invite);
          return;
        }
        finals.push(response);
        if (finals.length < invites.length) return;
        finish(settle(finals));
      });
    }
  });
}

function isLocal(response: SipResponse): boolean {
  return (response.status === 408 || response.status === 503) && !response.to.params['tag'];
}

/** RFC 3261 §16.7 in spirit: busy wins over unreachable, and any other refusal over both
 * (the device said something specific, e.g. 603 Decline). */
function settle(finals: readonly SipResponse[]): RingResult {
  const other = finals.find((r) => classify(r.status) === undefined);
  if (other) return { kind: 'refused', status: other.status, reason: other.reason };
  if (finals.some((r) => classify(r.status) === 'busy'))
    return { kind: 'outcome', outcome: 'busy' };
  return { kind: 'outcome', outcome: 'unreachable' };
}
