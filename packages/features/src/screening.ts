// SPEC §3.7 anonymous call rejection and §3.8 nuisance call blocking: callers the callee
// refuses before anything rings. Each refusal plays its guidance (SPEC §5) and ends the call.
import { normalizeNumber } from './numbers.ts';
import type { Announce, CallFacts, Screening } from './types.ts';

// RFC 5079 §3: 433 tells the caller that withholding its identity is why it was refused.
const anonymousRejected: Announce = {
  action: 'announce',
  guidance: 'anonymous-rejected',
  status: 433,
  reason: 'Anonymity Disallowed',
  cause: 'anonymous-rejected',
};

// RFC 3261 §21.6.2: the callee does not wish to take this caller's calls.
const nuisanceBlocked: Announce = {
  action: 'announce',
  guidance: 'nuisance-blocked',
  status: 603,
  reason: 'Decline',
  cause: 'nuisance-blocked',
};

/**
 * The refusal a callee's screening gives this call, or undefined to let it through.
 * §3.7: only a caller's own withholding counts; payphones and numbers unavailable for other
 * reasons (international, out of area) pass. §3.8: a caller without a number, or on a
 * payphone, cannot be blocked.
 */
export function screenIncoming(call: CallFacts, screening: Screening): Announce | undefined {
  if (call.anonymity === 'withheld')
    return screening.rejectAnonymous ? anonymousRejected : undefined;
  if (call.anonymity === 'payphone' || call.callerNumber === undefined) return undefined;
  const caller = normalizeNumber(call.callerNumber) ?? call.callerNumber;
  const listed = screening.blockedCallers.some((n) => (normalizeNumber(n) ?? n) === caller);
  return listed ? nuisanceBlocked : undefined;
}
