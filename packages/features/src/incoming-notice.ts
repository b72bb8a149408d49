// SPEC §3.12 incoming call e-mail notification: which calls the subscriber is mailed about.
import { normalizeNumber } from './numbers.ts';
import type { Anonymity } from './types.ts';

export interface IncomingNoticeSettings {
  enabled: boolean;
  /** `listed`: only callers in `callerList` (up to 30 numbers, any entry form). */
  callers: 'all' | 'listed';
  callerList: readonly string[];
  /** `unanswered`: only calls not answered (no answer, forwarded, busy). */
  calls: 'all' | 'unanswered';
}

/** How the call ended, in the call records' words (SPEC §3.13). `voicemail` counts as
 * forwarded: the box is reached by forwarding (§3.11). */
export type IncomingNoticeOutcome =
  'answered' | 'no_answer' | 'forwarded' | 'voicemail' | 'busy' | 'rejected' | 'failed';

export interface IncomingNoticeCall {
  /** The caller's number; undefined when unknown or withheld. */
  callerNumber?: string;
  anonymity?: Anonymity;
  outcome: IncomingNoticeOutcome;
}

// SPEC §3.12: "calls not answered (no answer, forwarded, busy)".
const UNANSWERED: ReadonlySet<IncomingNoticeOutcome> = new Set([
  'no_answer',
  'forwarded',
  'voicemail',
  'busy',
]);

/**
 * Whether this call should be mailed about.
 *
 * Rejected and failed calls are never mailed, even with `calls: 'all'`. A caller refused by
 * screening (§3.7/§3.8) or a refusal the callee chose never rang for the subscriber, and a
 * failed call never reached them: neither is an incoming call to report, and §3.12's outcomes
 * (answered, no answer, forwarded) have no word for them.
 *
 * With `callers: 'listed'` an anonymous caller never matches (§3.12), even when the trunk
 * still sent a number; numbers compare in their normalised form.
 */
export function incomingNoticeWanted(
  settings: IncomingNoticeSettings,
  call: IncomingNoticeCall,
): boolean {
  if (!settings.enabled) return false;
  if (call.outcome === 'rejected' || call.outcome === 'failed') return false;
  if (settings.calls === 'unanswered' && !UNANSWERED.has(call.outcome)) return false;
  if (settings.callers === 'all') return true;
  if (call.anonymity !== undefined || call.callerNumber === undefined) return false;
  const caller = normalizeNumber(call.callerNumber) ?? call.callerNumber;
  return settings.callerList.some((n) => (normalizeNumber(n) ?? n) === caller);
}
