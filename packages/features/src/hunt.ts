// SPEC §3.5 hunt groups: which members a call is offered to, in which order, and which of
// them are worth ringing. The feature server rings them one at a time; when none takes the
// call, the pilot's busy treatment applies (`decideAfterRing(call, pilot, 'busy')`).
import type { Ring } from './types.ts';

export type HuntMode = 'sequential' | 'round_robin';

export interface HuntGroupPlan {
  mode: HuntMode;
  /** The pilot first, then the members in their order (national digits). */
  numbers: readonly string[];
  /** Beyond the manual: move on after this many seconds unanswered; null rings on. */
  noAnswerSeconds: number | null;
}

/**
 * The order members are offered one call. Sequential always starts at the pilot;
 * round-robin starts at `start` (the position the shared rotation claimed) and wraps.
 */
export function huntOrder(group: HuntGroupPlan, start = 0): string[] {
  const n = group.numbers.length;
  if (group.mode === 'sequential' || n === 0) return [...group.numbers];
  const first = ((start % n) + n) % n;
  return [...group.numbers.slice(first), ...group.numbers.slice(0, first)];
}

/** What is known of a member before it is rung. */
export interface MemberState {
  /** False when its access line has no free channel (SPEC §2: busy). */
  channelAvailable: boolean;
  registered: boolean;
}

export type MemberVerdict = 'ring' | 'busy' | 'unreachable';

/** A member without a free channel is busy and one without a device unreachable: skipped. */
export function memberVerdict(member: MemberState): MemberVerdict {
  if (!member.channelAvailable) return 'busy';
  if (!member.registered) return 'unreachable';
  return 'ring';
}

/** How one member is rung: until the group's no-answer time, if it has one. */
export function memberRing(group: HuntGroupPlan, unreachableAfterMs: number): Ring {
  return {
    action: 'ring',
    // A member that says nothing at all would otherwise hold the hunt for good.
    unreachableAfterMs,
    ...(group.noAnswerSeconds !== null ? { noAnswerAfterMs: group.noAnswerSeconds * 1000 } : {}),
  };
}
