// SPEC §3.1–§3.3: which forwarding setting governs a number's calls, given every source the
// feature server has read. Bulk forwarding overrides the schedule, which overrides the
// number's own setting.
import { checkTargetNumber } from './forwarding-target.ts';
import { normalizeNumber } from './numbers.ts';
import type { ForwardingSetting } from './types.ts';

export interface ForwardingSources {
  /** The number's static setting (§3.1). Edits made while a bulk group is started land here. */
  own: ForwardingSetting | undefined;
  /** The pattern the schedule selects now (§3.2), if any. */
  scheduled?: ForwardingSetting;
  /** Present when the number is a member of a bulk-forwarding group (§3.3). `startTarget` is
   * the slot-5 target recorded when the group started (null: the member was refused then);
   * with it, slot-5 edits made while the group is started wait for the stop, as §3.3 says. */
  bulk?: { groupStarted: boolean; startTarget?: string | null };
}

export type ForwardingSource = 'bulk' | 'schedule' | 'own' | 'none';

export interface EffectiveForwarding {
  /** The setting `decideIncoming` should use; undefined when there is none. */
  setting: ForwardingSetting | undefined;
  source: ForwardingSource;
  /** Why a member of a started group is not bulk-forwarded (the start report's reason). */
  bulkError?: string;
}

export type BulkStartCheck = { ok: true; target: string } | { ok: false; reason: string };

export const bulkStartReasons = {
  noSlot5: 'slot 5 has no forwarding target',
  refusedSlot5: (target: string, message: string) =>
    `slot 5 holds ${target}, which cannot be a forwarding target: ${message}`,
} as const;

/**
 * What a bulk start reports for one member (SPEC §3.3): ok with the slot-5 target it will
 * forward to, or the reason it will not be forwarded. A slot-5 number that the §3.1
 * numbering rules refuse would not be dialled at call time, so it is reported too.
 */
export function bulkStartCheck(own: ForwardingSetting | undefined): BulkStartCheck {
  const stored = own?.slots[4];
  if (stored == null) return { ok: false, reason: bulkStartReasons.noSlot5 };
  const checked = checkTargetNumber(normalizeNumber(stored) ?? stored);
  if (!checked.ok) {
    return { ok: false, reason: bulkStartReasons.refusedSlot5(stored, checked.message) };
  }
  return { ok: true, target: checked.number };
}

/**
 * The setting in force (SPEC §3.1–§3.3), first that applies:
 * 1. bulk: the number's group is started and its slot 5 holds a usable target → forward
 *    unconditionally to slot 5 (the own slots, so `decideIncoming` reads slot 5 from them);
 *    otherwise the member is not bulk-forwarded, `bulkError` says why, and 2–4 decide;
 * 2. the pattern the schedule selects now;
 * 3. the number's own setting;
 * 4. none.
 */
export function effectiveForwarding(s: ForwardingSources): EffectiveForwarding {
  let bulkError: string | undefined;
  if (s.bulk?.groupStarted === true) {
    const recorded = s.bulk.startTarget;
    const check: BulkStartCheck =
      recorded === undefined
        ? bulkStartCheck(s.own)
        : recorded === null
          ? { ok: false, reason: bulkStartReasons.noSlot5 }
          : { ok: true, target: recorded };
    if (check.ok && recorded !== undefined) {
      const slots = [...(s.own?.slots ?? [null, null, null, null, null])];
      slots[4] = check.target;
      return {
        setting: {
          enabled: true,
          unconditional: true,
          onBusy: false,
          onNoAnswer: false,
          onUnreachable: false,
          ringTimeSeconds: s.own?.ringTimeSeconds ?? 20,
          activeTarget: 'slot5',
          slots: slots as unknown as ForwardingSetting['slots'],
        },
        source: 'bulk',
      };
    }
    // The check succeeds only with a setting that holds slot 5.
    if (check.ok && s.own !== undefined) {
      return {
        setting: {
          ...s.own,
          enabled: true,
          unconditional: true,
          onBusy: false,
          onNoAnswer: false,
          onUnreachable: false,
          activeTarget: 'slot5',
        },
        source: 'bulk',
      };
    }
    if (!check.ok) bulkError = check.reason;
  }
  const withError = bulkError === undefined ? {} : { bulkError };
  if (s.scheduled !== undefined) return { setting: s.scheduled, source: 'schedule', ...withError };
  if (s.own !== undefined) return { setting: s.own, source: 'own', ...withError };
  return { setting: undefined, source: 'none', ...withError };
}
