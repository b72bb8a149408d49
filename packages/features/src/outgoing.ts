// A subscriber's outgoing call: SPEC §3.9 international barring, §3.10 outgoing restriction
// and §3.6 caller ID (presentation, the 184/186 prefixes, specific number presentation, and
// §3.5 hunt-group members presenting their pilot).
import { isEmergencyNumber } from './emergency.ts';
import { isInternational } from './numbers.ts';
import type { Announce } from './types.ts';

/** SPEC §3.10's categories, as stored. */
export type RestrictionCategory =
  'international' | 'premium_rate_0990' | 'navi_dial_0570' | 'all_except_emergency';

export type Presentation = 'present' | 'withhold';

/** What the feature server knows of the calling number. */
export interface OutgoingCaller {
  /** The caller's own (base) number, national digits. */
  number: string;
  /** §3.6 setting; `present` unless the user chose otherwise. */
  presentation: Presentation;
  internationalBarring: boolean;
  restrictions: readonly RestrictionCategory[];
  /** §3.6 specific number presentation, subscribed and switched on: the number to present. */
  specificNumber?: string;
  /** §3.5 member of a group whose members present the pilot: the pilot's number. */
  pilotNumber?: string;
}

/** The number shown to the callee, and whether it may be shown (RFC 3323 `Privacy: id`). */
export interface CallerId {
  presentation: Presentation;
  number: string;
}

export type OutgoingPlan = { action: 'call'; callerId: CallerId } | Announce;

/** A dialled string with its per-call caller-ID prefix taken off (SPEC §3.6). */
export interface Dialled {
  prefix?: '184' | '186';
  number: string;
}

/** `184…` withholds and `186…` presents the caller's number for this call only. */
export function splitCallerIdPrefix(dialled: string): Dialled {
  const match = /^(184|186)(.+)$/.exec(dialled);
  if (!match?.[2]) return { number: dialled };
  return { prefix: match[1] as '184' | '186', number: match[2] };
}

const internationalBarred: Announce = {
  action: 'announce',
  guidance: 'international-barred',
  status: 403,
  reason: 'Forbidden',
  cause: 'international-barred',
};

const outgoingRestricted: Announce = {
  action: 'announce',
  guidance: 'outgoing-restricted',
  status: 403,
  reason: 'Forbidden',
  cause: 'outgoing-restricted',
};

/** True when §3.10's category covers a call to `number` (national or 010 digits). */
export function restricts(category: RestrictionCategory, number: string): boolean {
  switch (category) {
    case 'all_except_emergency':
      return true;
    case 'international':
      return isInternational(number);
    case 'premium_rate_0990':
      return number.startsWith('0990');
    case 'navi_dial_0570':
      return number.startsWith('0570');
  }
}

/**
 * SPEC §3.6/§3.9/§3.10 for one outgoing call to `dialled` (prefix already split off; the
 * number normalized, or an emergency number as dialled). Emergency numbers are never barred.
 */
export function decideOutgoing(dialled: Dialled, caller: OutgoingCaller): OutgoingPlan {
  if (!isEmergencyNumber(dialled.number)) {
    if (caller.internationalBarring && isInternational(dialled.number)) return internationalBarred;
    if (caller.restrictions.some((c) => restricts(c, dialled.number))) return outgoingRestricted;
  }
  return { action: 'call', callerId: callerIdFor(caller, dialled.prefix) };
}

/** The prefix overrides the setting for this call; the number shown is the specific number
 * when subscribed (the number's own service), else a hunt group's pilot, else its own. */
export function callerIdFor(caller: OutgoingCaller, prefix?: '184' | '186'): CallerId {
  const presentation: Presentation =
    prefix === '184' ? 'withhold' : prefix === '186' ? 'present' : caller.presentation;
  return {
    presentation,
    number: caller.specificNumber ?? caller.pilotNumber ?? caller.number,
  };
}
