import type { BulkForwardingNumberResult, ForwardingSetting } from '@ipvoice/db';
import {
  bulkStartCheck,
  effectiveForwarding,
  type EffectiveForwarding,
  type ForwardingSource,
} from '@ipvoice/features';

/** What is known about one member when its group starts or stops. */
export interface MemberFacts {
  numberId: number;
  number: string;
  own: ForwardingSetting | undefined;
  /** The pattern the schedule has switched the number to (SPEC §3.2). */
  scheduled: ForwardingSetting | undefined;
  /** The number is also a member of another group that is started. */
  inOtherStartedGroup: boolean;
}

/** Where a number's calls go, as the setting history records it. */
export interface EffectiveTarget {
  source: ForwardingSource;
  /** A number, 'voicemail', or null when calls are not forwarded. */
  target: string | null;
}

export interface MemberOutcome {
  numberId: number;
  result: BulkForwardingNumberResult;
  before: EffectiveTarget;
  after: EffectiveTarget;
}

export const stopReasons = {
  stillStarted: 'another started bulk-forwarding group still forwards this number',
} as const;

function describe(e: EffectiveForwarding): EffectiveTarget {
  const s = e.setting;
  if (s === undefined || !s.enabled || s.activeTarget === null)
    return { source: e.source, target: null };
  if (s.activeTarget === 'voicemail') return { source: e.source, target: 'voicemail' };
  const slot = Number(s.activeTarget.slice('slot'.length)) - 1;
  return { source: e.source, target: s.slots[slot] ?? null };
}

function effective(m: MemberFacts, groupStarted: boolean): EffectiveTarget {
  return describe(
    effectiveForwarding({
      own: m.own,
      ...(m.scheduled === undefined ? {} : { scheduled: m.scheduled }),
      bulk: { groupStarted },
    }),
  );
}

/**
 * SPEC §3.3 for one member of a group being started: ok when its own slot 5 holds a usable
 * target, else an error with the reason; before/after are what its calls did and will do.
 */
export function startOutcome(m: MemberFacts): MemberOutcome {
  const check = bulkStartCheck(m.own);
  return {
    numberId: m.numberId,
    result: check.ok
      ? { number: m.number, outcome: 'ok', reason: null, target: check.target }
      : { number: m.number, outcome: 'error', reason: check.reason, target: null },
    before: effective(m, m.inOtherStartedGroup),
    after: effective(m, true),
  };
}

/** A stop always succeeds per member; it says so when another started group still applies. */
export function stopOutcome(m: MemberFacts): MemberOutcome {
  return {
    numberId: m.numberId,
    result: {
      number: m.number,
      outcome: 'ok',
      reason: m.inOtherStartedGroup ? stopReasons.stillStarted : null,
    },
    before: effective(m, true),
    after: effective(m, m.inOtherStartedGroup),
  };
}
