// SPEC §3.1 call forwarding as decisions: what to do with an incoming call, and what to do
// when ringing the callee ended without an answer. Pure functions of the facts; total, so
// any stored setting (even one the API would refuse) yields a plan.
import {
  MAX_RING_TIME_SECONDS,
  MIN_RING_TIME_SECONDS,
  checkTargetNumber,
  slotNumber,
} from './forwarding-target.ts';
import { isInternational, normalizeNumber } from './numbers.ts';
import { screenIncoming } from './screening.ts';
import {
  defaultPolicy,
  type CallFacts,
  type CalleeFacts,
  type ForwardReason,
  type ForwardingConditions,
  type Plan,
  type Policy,
  type Reject,
  type RejectCause,
  type Ring,
  type RingOutcome,
} from './types.ts';

/** Where a condition's forwarding leads right now. */
type Resolution =
  | { kind: 'forward'; number: string }
  | { kind: 'voicemail' }
  | { kind: 'refused'; cause: 'forwarding-loop' | 'forwarding-hops' }
  /** Forwarding does not apply: the call gets the condition's normal treatment. */
  | { kind: 'none' };

const NONE: Resolution = { kind: 'none' };

// The final response of each condition when the call is not forwarded.
const normalRejects: Record<RingOutcome, Reject> = {
  busy: { action: 'reject', status: 486, reason: 'Busy Here', cause: 'busy' },
  'no-answer': { action: 'reject', status: 480, reason: 'No Answer', cause: 'no-answer' },
  unreachable: {
    action: 'reject',
    status: 480,
    reason: 'Temporarily Unavailable',
    cause: 'unreachable',
  },
};

// RFC 3261 §21.4.20 482 Loop Detected: the call came back to a number it already passed.
const unconditionalRefusals: Record<'forwarding-loop' | 'forwarding-hops', Reject> = {
  'forwarding-loop': {
    action: 'reject',
    status: 482,
    reason: 'Loop Detected',
    cause: 'forwarding-loop',
  },
  'forwarding-hops': {
    action: 'reject',
    status: 482,
    reason: 'Too Many Forwards',
    cause: 'forwarding-hops',
  },
};

/** SPEC §3.4: a special-number forwarding governs the number instead of §3.1's setting. */
function conditionsOf(callee: CalleeFacts): ForwardingConditions | undefined {
  return callee.specialForwarding ?? callee.forwarding;
}

function conditionSet(callee: CalleeFacts, reason: ForwardReason): boolean {
  const setting = conditionsOf(callee);
  if (setting === undefined || !setting.enabled) return false;
  if (reason === 'unconditional') return setting.unconditional;
  // SPEC §3.1: unconditional excludes the other conditions.
  if (setting.unconditional) return false;
  if (reason === 'busy') return setting.onBusy;
  if (reason === 'no-answer') return setting.onNoAnswer;
  return setting.onUnreachable;
}

const sameNumber = (n: string) => normalizeNumber(n) ?? n;

function resolveForwarding(
  call: CallFacts,
  callee: CalleeFacts,
  reason: ForwardReason,
  policy: Policy,
): Resolution {
  if (!conditionSet(callee, reason)) return NONE;
  const number = callee.specialForwarding
    ? specialTarget(callee.specialForwarding.number)
    : forwardingTarget(callee);
  if (number === undefined) return NONE;
  if (number === 'voicemail') return { kind: 'voicemail' };
  // SPEC §3.1: never forward back to a number the call has already been at.
  const visited = [callee.number, call.calledNumber, ...call.forwardedFrom].map(sameNumber);
  if (visited.includes(number)) return { kind: 'refused', cause: 'forwarding-loop' };
  if (call.forwardedFrom.length >= policy.maxForwardingHops) {
    return { kind: 'refused', cause: 'forwarding-hops' };
  }
  return { kind: 'forward', number };
}

/** SPEC §3.4: the operator's number, which only the toll-free and navi-dial ranges may be. */
function specialTarget(stored: string): string | undefined {
  const number = normalizeNumber(stored);
  return number !== undefined && /^0(120|570|800)/.test(number) ? number : undefined;
}

/** The §3.1 setting's active target, if it may be dialled now. */
function forwardingTarget(callee: CalleeFacts): string | 'voicemail' | undefined {
  const setting = callee.forwarding;
  const target = setting?.activeTarget;
  if (setting === undefined || target == null) return undefined;
  if (target === 'voicemail') {
    // SPEC §3.1/§3.11: voicemail is a target only with its subscription. The box ends the
    // call here, so neither loops nor hop counts concern it.
    return callee.subscriptions.has('voicemail') ? 'voicemail' : undefined;
  }
  const stored = setting.slots[slotNumber(target) - 1];
  if (stored == null) return undefined;
  // Stored targets are normalized already; a target that slipped past the entry rules is
  // still never dialled (SPEC §3.1 refused ranges, §3.10 emergency numbers).
  const checked = checkTargetNumber(sameNumber(stored));
  if (!checked.ok) return undefined;
  // SPEC §3.9: barring applies at call time too, whenever it was switched on.
  if (callee.internationalBarring && isInternational(checked.number)) return undefined;
  return checked.number;
}

function planFor(reason: ForwardReason, resolution: Resolution): Plan | undefined {
  switch (resolution.kind) {
    case 'forward':
      return { action: 'forward', number: resolution.number, reason };
    case 'voicemail':
      return { action: 'voicemail', reason };
    case 'refused': {
      if (reason === 'unconditional') return unconditionalRefusals[resolution.cause];
      const cause: RejectCause = resolution.cause;
      return { ...normalRejects[reason], cause };
    }
    case 'none':
      return undefined;
  }
}

function conditionPlan(
  call: CallFacts,
  callee: CalleeFacts,
  outcome: RingOutcome,
  policy: Policy,
): Plan {
  return (
    planFor(outcome, resolveForwarding(call, callee, outcome, policy)) ?? {
      ...normalRejects[outcome],
    }
  );
}

/** The stored ring time in ms, kept within SPEC §3.1's 5–30 s whatever was stored. */
function ringTimeMs(seconds: number): number {
  const whole = Number.isFinite(seconds) ? Math.round(seconds) : MAX_RING_TIME_SECONDS;
  return Math.min(MAX_RING_TIME_SECONDS, Math.max(MIN_RING_TIME_SECONDS, whole)) * 1000;
}

/**
 * SPEC §3.1, on arrival: unconditional forwarding first; then a full access line is busy
 * and a number without a live registration is unreachable, each forwarded when that
 * condition's forwarding applies; otherwise ring, with the timers that end ringing into
 * no-answer or unreachable forwarding.
 */
export function decideIncoming(
  call: CallFacts,
  callee: CalleeFacts,
  policy: Policy = defaultPolicy,
): Plan {
  // SPEC §3.7/§3.8: a refused caller hears why before anything else happens.
  const refused = callee.screening ? screenIncoming(call, callee.screening) : undefined;
  if (refused !== undefined) return refused;
  const unconditional = planFor(
    'unconditional',
    resolveForwarding(call, callee, 'unconditional', policy),
  );
  if (unconditional !== undefined) return unconditional;
  // SPEC §3.5: the members take the call; their channels and devices are checked one by one.
  if (callee.hunting) return { action: 'hunt' };
  // SPEC §2: a call beyond the access line's channel count is busy.
  if (!callee.channelAvailable) return conditionPlan(call, callee, 'busy', policy);
  if (!callee.registered) return conditionPlan(call, callee, 'unreachable', policy);

  const ring: Ring = { action: 'ring' };
  // A timer is armed whenever its condition would end the call (a loop refusal included),
  // so the caller is not left ringing past the callee's chosen ring time.
  if (resolveForwarding(call, callee, 'no-answer', policy).kind !== 'none') {
    ring.noAnswerAfterMs = ringTimeMs(conditionsOf(callee)?.ringTimeSeconds ?? Number.NaN);
  }
  if (resolveForwarding(call, callee, 'unreachable', policy).kind !== 'none') {
    ring.unreachableAfterMs = policy.unreachableTimeoutMs;
  }
  return ring;
}

/**
 * SPEC §3.1, after ringing ended without an answer: forward (or go to voicemail) when the
 * outcome's condition applies; otherwise end the call with the outcome's final response.
 */
export function decideAfterRing(
  call: CallFacts,
  callee: CalleeFacts,
  outcome: RingOutcome,
  policy: Policy = defaultPolicy,
): Plan {
  return conditionPlan(call, callee, outcome, policy);
}
