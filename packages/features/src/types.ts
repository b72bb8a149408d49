// The decision core's vocabulary: the facts a call brings, the callee's settings, and the
// plans the feature server executes. Plain data only; nothing here does I/O
// (ARCHITECTURE.md decision 2).

/** SPEC §3.1: where a forwarded call goes. `voicemail` only with the voicemail subscription. */
export type ForwardingTarget = 'slot1' | 'slot2' | 'slot3' | 'slot4' | 'slot5' | 'voicemail';

/** SPEC §3.1's switch, conditions and ring time; §3.4 uses them too. */
export interface ForwardingConditions {
  enabled: boolean;
  unconditional: boolean;
  onBusy: boolean;
  onNoAnswer: boolean;
  onUnreachable: boolean;
  /** 5–30 seconds. */
  ringTimeSeconds: number;
}

/** SPEC §3.1 as stored (same shape as @ipvoice/db's ForwardingSetting). */
export interface ForwardingSetting extends ForwardingConditions {
  activeTarget: ForwardingTarget | null;
  /** Slot 1 first; national digits (or 010… international), null when empty. */
  slots: readonly [string | null, string | null, string | null, string | null, string | null];
}

/** Why a caller's number is not shown (SPEC §3.12). */
export type Anonymity = 'withheld' | 'payphone' | 'unavailable';

/** What the call itself tells, as the feature server read it off the INVITE. */
export interface CallFacts {
  /** The caller's national number; undefined when unknown or withheld. */
  callerNumber?: string;
  anonymity?: Anonymity;
  /** The number this leg is addressed to (national digits), e.g. a dial-in number. */
  calledNumber: string;
  /** Numbers the call has already been forwarded from, oldest first (from Diversion or
   * History-Info, and our own forwarding within this call). */
  forwardedFrom: readonly string[];
}

/** What the feature server knows of the callee when the call arrives. */
export interface CalleeFacts {
  /** The number whose settings apply (national digits). */
  number: string;
  forwarding: ForwardingSetting | undefined;
  /** Subscribed features (SPEC §3), e.g. 'voicemail'. */
  subscriptions: ReadonlySet<string>;
  /** SPEC §3.9: also bars forwarding to international targets. */
  internationalBarring: boolean;
  /** At least one live registration (SPEC §3.1 "unreachable" otherwise). */
  registered: boolean;
  /** False when the access line's channels are all in use: the call counts as busy. */
  channelAvailable: boolean;
  /** SPEC §3.7/§3.8: what the callee refuses before anything rings. */
  screening?: Screening;
  /** SPEC §3.5: the number belongs to a hunt group; the group's members take its calls. */
  hunting?: boolean;
  /** SPEC §3.4: forwarding to the operator's toll-free/navi-dial number. When present it
   * governs the number instead of `forwarding` (such numbers leave the §3.1 screens). */
  specialForwarding?: SpecialForwarding;
}

/** SPEC §3.7/§3.8 as they apply to one callee: only subscribed and switched-on rules. */
export interface Screening {
  /** §3.7: refuse callers who withheld their number. */
  rejectAnonymous: boolean;
  /** §3.8: callers refused, national digits. */
  blockedCallers: readonly string[];
}

/** SPEC §3.4: the conditions and ring time of §3.1, the target fixed by the operator. */
export interface SpecialForwarding extends ForwardingConditions {
  /** 0120 / 0570 / 0800 number, national digits. */
  number: string;
}

export interface Policy {
  /** SPEC §3.1: a call forwarded this many times is not forwarded again (default 5). */
  maxForwardingHops: number;
  /** SPEC §3.1: no response at all within this long means unreachable (2000 ms). */
  unreachableTimeoutMs: number;
}

export const defaultPolicy: Policy = { maxForwardingHops: 5, unreachableTimeoutMs: 2000 };

export type ForwardReason = 'unconditional' | 'busy' | 'no-answer' | 'unreachable';

/** How ringing the callee's devices ended, as the feature server saw it. */
export type RingOutcome =
  /** 486 or 600 from a device (the others gave up or were cancelled). */
  | 'busy'
  /** The ring time (`Ring.noAnswerAfterMs`) passed. */
  | 'no-answer'
  /** 480 or 404 from every device, or no response at all within `Ring.unreachableAfterMs`. */
  | 'unreachable';

/** Ring every registered device of the callee in parallel. */
export interface Ring {
  action: 'ring';
  /** Set when no-answer forwarding applies: give up ringing after this long. */
  noAnswerAfterMs?: number;
  /** Set when unreachable forwarding applies: no response at all for this long. */
  unreachableAfterMs?: number;
}

/** SPEC §3.5: offer the call to the hunt group's members one at a time (see hunt.ts). */
export interface Hunt {
  action: 'hunt';
}

/** Forward the call. `number` is the national (or 010…) target. */
export interface Forward {
  action: 'forward';
  number: string;
  reason: ForwardReason;
}

/** Send the call to the callee's voicemail (SPEC §3.11). */
export interface ToVoicemail {
  action: 'voicemail';
  reason: ForwardReason;
}

/** The spoken guidances of SPEC §5, one per refusal. */
export const guidances = [
  'anonymous-rejected',
  'nuisance-blocked',
  'international-barred',
  'outgoing-restricted',
] as const;

export type Guidance = (typeof guidances)[number];

/** Play the guidance as early media, then end the call with the final response (SPEC §5). */
export interface Announce {
  action: 'announce';
  guidance: Guidance;
  status: number;
  reason: string;
  cause: Guidance;
}

/** End the call with a final response. `cause` names the rule, for logs and call records. */
export interface Reject {
  action: 'reject';
  status: number;
  reason: string;
  cause: RejectCause;
}

export type RejectCause =
  'busy' | 'no-answer' | 'unreachable' | 'forwarding-loop' | 'forwarding-hops';

export type Plan = Ring | Hunt | Forward | ToVoicemail | Reject | Announce;
