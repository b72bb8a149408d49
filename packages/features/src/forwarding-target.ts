// SPEC §3.1 forwarding targets and settings as a user enters them. The API layer shows these
// messages verbatim, so each names the rule that refused the input.
import {
  INTERNATIONAL_PREFIX,
  MAX_NUMBER_DIGITS,
  isInternational,
  normalizeNumber,
} from './numbers.ts';
import type { ForwardingSetting, ForwardingTarget } from './types.ts';

export type TargetCheck = { ok: true; number: string } | { ok: false; message: string };

export interface TargetContext {
  /** The number whose setting this is; it may not forward to itself. */
  ownNumber: string;
  /** SPEC §3.9: international call barring also bars international targets. */
  internationalBarring?: boolean;
}

/** SPEC §3.1: hyphens are accepted on input, at most this many. */
export const MAX_TARGET_HYPHENS = 3;

export const targetMessages = {
  empty: 'Enter a forwarding number.',
  hash: 'A forwarding number cannot start with #: # codes are service codes, not numbers.',
  plus: 'Write international numbers with the 010 prefix instead of + (e.g. 010-1-212-5550123).',
  characters: 'A forwarding number may contain only digits and hyphens (e.g. 03-1234-5678).',
  hyphens: `A forwarding number may contain at most ${MAX_TARGET_HYPHENS} hyphens.`,
  tooLong: `A forwarding number may have at most ${MAX_NUMBER_DIGITS} digits.`,
  shortCode: (code: string) =>
    `${code} is a 1XY short code (such as 104, 110, 117, 119 or 177); numbers starting with 1 cannot be forwarding targets.`,
  extension:
    'Extension numbers cannot be forwarding targets: enter the full number starting with 0 and its area code.',
  carrierSelection: (prefix: string) =>
    `Carrier-selection prefixes (00XY, such as 0033 or 0035) cannot be used in a forwarding number; remove ${prefix}.`,
  international:
    'An international forwarding number is 010, the country code and the number (e.g. 010-1-212-5550123).',
  internationalBarred:
    'International call barring is on for this number, so it cannot forward to international (010) numbers.',
  tollFree: (prefix: string) =>
    `${prefix} numbers (toll-free) cannot be forwarding targets; forwarding to a toll-free number is the separate "forward to a special number" service.`,
  naviDial:
    '0570 numbers (navi-dial) cannot be forwarding targets; forwarding to a navi-dial number is the separate "forward to a special number" service.',
  premiumRate: '0990 numbers (premium-rate) cannot be forwarding targets.',
  nonTargetRange: (prefix: string) =>
    `${prefix} numbers cannot be forwarding targets (020, 030, 040 and 060 numbers are not allowed).`,
  ip3300: '050-3300 numbers cannot be forwarding targets.',
  ipLength: '050 IP phone numbers have 11 digits (050-XXXX-XXXX).',
  mobileLength: (prefix: string) =>
    `Mobile numbers (${prefix}) have 11 digits (${prefix}-XXXX-XXXX).`,
  fixedLength: 'Fixed-line numbers have 10 digits including the area code (e.g. 03-1234-5678).',
  self: 'A number cannot forward to itself.',
} as const;

/**
 * SPEC §3.1's numbering-plan rules for a target in national (or 010) digits. Shared by the
 * entry check below and by the call-time decision, which must not dial a target these refuse
 * even when it reached storage some other way.
 */
export function checkTargetNumber(digits: string): TargetCheck {
  const refuse = (message: string): TargetCheck => ({ ok: false, message });
  if (digits.length === 0) return refuse(targetMessages.empty);
  if (digits.length > MAX_NUMBER_DIGITS) return refuse(targetMessages.tooLong);
  if (digits.startsWith('1')) return refuse(targetMessages.shortCode(digits.slice(0, 3)));
  if (!digits.startsWith('0')) return refuse(targetMessages.extension);
  if (digits.startsWith('00')) return refuse(targetMessages.carrierSelection(digits.slice(0, 4)));

  let national = digits;
  if (digits.startsWith(INTERNATIONAL_PREFIX)) {
    const number = normalizeNumber(digits);
    if (number === undefined) return refuse(targetMessages.international);
    // 010-81-… is a Japanese number: the national rules below decide it.
    if (isInternational(number)) return { ok: true, number };
    national = number;
  }

  const prefix3 = national.slice(0, 3);
  const prefix4 = national.slice(0, 4);
  if (prefix4 === '0120' || prefix4 === '0800') return refuse(targetMessages.tollFree(prefix4));
  if (prefix4 === '0570') return refuse(targetMessages.naviDial);
  if (prefix4 === '0990') return refuse(targetMessages.premiumRate);
  if (['020', '030', '040', '060'].includes(prefix3)) {
    return refuse(targetMessages.nonTargetRange(prefix3));
  }
  if (national.startsWith('0503300')) return refuse(targetMessages.ip3300);
  if (prefix3 === '050') {
    return national.length === 11
      ? { ok: true, number: national }
      : refuse(targetMessages.ipLength);
  }
  if (['070', '080', '090'].includes(prefix3)) {
    return national.length === 11
      ? { ok: true, number: national }
      : refuse(targetMessages.mobileLength(prefix3));
  }
  // 0ABJ: a fixed-line (or 0ABJ IP) number with its area code, 10 digits.
  return national.length === 10
    ? { ok: true, number: national }
    : refuse(targetMessages.fixedLength);
}

/**
 * Checks a forwarding target as a user typed it (SPEC §3.1) and gives its normalized digits.
 * Hyphens may stand anywhere; surrounding white space is ignored.
 */
export function validateForwardingTarget(input: string, context: TargetContext): TargetCheck {
  const text = input.trim();
  const refuse = (message: string): TargetCheck => ({ ok: false, message });
  if (text.length === 0) return refuse(targetMessages.empty);
  if (text.startsWith('#')) return refuse(targetMessages.hash);
  if (text.startsWith('+')) return refuse(targetMessages.plus);
  if (!/^[0-9-]+$/.test(text)) return refuse(targetMessages.characters);
  if (text.length - text.replaceAll('-', '').length > MAX_TARGET_HYPHENS) {
    return refuse(targetMessages.hyphens);
  }
  const checked = checkTargetNumber(text.replaceAll('-', ''));
  if (!checked.ok) return checked;
  // SPEC §3.9: barring covers forwarding as well as dialling.
  if (context.internationalBarring === true && isInternational(checked.number)) {
    return refuse(targetMessages.internationalBarred);
  }
  const own = normalizeNumber(context.ownNumber) ?? context.ownNumber;
  if (checked.number === own) return refuse(targetMessages.self);
  return checked;
}

export interface SettingProblem {
  /** The ForwardingSetting field at fault: `unconditional`, `ringTimeSeconds`,
   * `activeTarget`, `enabled`, or `slot1`…`slot5` for an entry of `slots`. */
  field: string;
  message: string;
}

export interface SettingContext extends TargetContext {
  /** Subscribed features (SPEC §3), e.g. 'voicemail', 'bulk_forwarding'. */
  subscriptions: ReadonlySet<string>;
}

/** SPEC §3.1: no-answer ring time bounds, in whole seconds. */
export const MIN_RING_TIME_SECONDS = 5;
export const MAX_RING_TIME_SECONDS = 30;

export const settingMessages = {
  unconditionalExclusive:
    'Unconditional forwarding cannot be combined with busy, no-answer or unreachable forwarding.',
  ringTime: `The no-answer ring time must be a whole number of seconds from ${MIN_RING_TIME_SECONDS} to ${MAX_RING_TIME_SECONDS}.`,
  noCondition:
    'Choose when to forward: unconditionally, or on any of busy, no answer and unreachable.',
  noTarget: 'Choose the forwarding target: one of slots 1–5, or voicemail.',
  emptySlot: (slot: number) =>
    `The active forwarding target is slot ${slot}, which is empty; enter a number in slot ${slot} or choose another target.`,
  voicemailNotSubscribed:
    'Voicemail can be the forwarding target only when the voicemail service is subscribed.',
  slot: (slot: number, message: string) => `Slot ${slot}: ${message}`,
  bulkSlot5:
    'Slot 5 holds the bulk-forwarding target and must be set while bulk forwarding is subscribed.',
} as const;

/**
 * Every SPEC §3.1 problem of a whole setting, in field order; empty when it may be stored.
 * Slots are checked as entered (so hyphens are allowed); store `validateForwardingTarget`'s
 * normalized number.
 */
export function validateForwardingSetting(
  setting: ForwardingSetting,
  context: SettingContext,
): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const anyCondition = setting.onBusy || setting.onNoAnswer || setting.onUnreachable;
  if (setting.unconditional && anyCondition) {
    problems.push({ field: 'unconditional', message: settingMessages.unconditionalExclusive });
  }
  // A forwarding that is on must be able to forward somewhere, on some condition.
  if (setting.enabled && !setting.unconditional && !anyCondition) {
    problems.push({ field: 'enabled', message: settingMessages.noCondition });
  }
  const ring = setting.ringTimeSeconds;
  if (!Number.isInteger(ring) || ring < MIN_RING_TIME_SECONDS || ring > MAX_RING_TIME_SECONDS) {
    problems.push({ field: 'ringTimeSeconds', message: settingMessages.ringTime });
  }
  const active = setting.activeTarget;
  if (active === 'voicemail') {
    if (!context.subscriptions.has('voicemail')) {
      problems.push({ field: 'activeTarget', message: settingMessages.voicemailNotSubscribed });
    }
  } else if (active !== null) {
    const slot = slotNumber(active);
    if (setting.slots[slot - 1] == null) {
      problems.push({ field: 'activeTarget', message: settingMessages.emptySlot(slot) });
    }
  } else if (setting.enabled) {
    problems.push({ field: 'activeTarget', message: settingMessages.noTarget });
  }
  setting.slots.forEach((value, i) => {
    if (value === null) return;
    const checked = validateForwardingTarget(value, context);
    if (!checked.ok) {
      problems.push({
        field: `slot${i + 1}`,
        message: settingMessages.slot(i + 1, checked.message),
      });
    }
  });
  // SPEC §3.3: bulk forwarding sends every member to its slot-5 target.
  if (context.subscriptions.has('bulk_forwarding') && setting.slots[4] == null) {
    problems.push({ field: 'slot5', message: settingMessages.bulkSlot5 });
  }
  return problems;
}

/** `slot3` → 3. */
export function slotNumber(target: Exclude<ForwardingTarget, 'voicemail'>): number {
  return Number(target.slice(4));
}
