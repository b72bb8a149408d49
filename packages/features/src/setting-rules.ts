// SPEC §3.4 and §3.8 entry rules that the provisioning file and the REST API both apply, with
// the messages both show.
import {
  MAX_RING_TIME_SECONDS,
  MIN_RING_TIME_SECONDS,
  settingMessages,
  type SettingProblem,
} from './forwarding-target.ts';
import type { ForwardingConditions } from './types.ts';

/**
 * SPEC §3.4: forwarding to a special number takes §3.1's switch, conditions and ring time
 * (its target is the operator's). The same rules and messages as `validateForwardingSetting`.
 */
export function validateForwardingConditions(c: ForwardingConditions): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const anyCondition = c.onBusy || c.onNoAnswer || c.onUnreachable;
  if (c.unconditional && anyCondition) {
    problems.push({ field: 'unconditional', message: settingMessages.unconditionalExclusive });
  }
  if (c.enabled && !c.unconditional && !anyCondition) {
    problems.push({ field: 'enabled', message: settingMessages.noCondition });
  }
  const ring = c.ringTimeSeconds;
  if (!Number.isInteger(ring) || ring < MIN_RING_TIME_SECONDS || ring > MAX_RING_TIME_SECONDS) {
    problems.push({ field: 'ringTimeSeconds', message: settingMessages.ringTime });
  }
  return problems;
}

/** SPEC §3.8: at most this many blocked callers per number. */
export const MAX_BLOCKED_CALLERS = 30;

export const blockedCallerMessages = {
  characters: 'digits and hyphens only',
  hyphens: 'at most 3 hyphens',
  length: 'at most 13 characters with hyphens',
  number: 'a caller number starting 01–09, at most 11 digits',
  tooMany: `at most ${MAX_BLOCKED_CALLERS} numbers`,
  duplicate: (number: string) => `${number} is listed twice`,
} as const;

export type BlockedCallerCheck = { ok: true; number: string } | { ok: false; message: string };

/** SPEC §3.8: a caller to block, 01–09 start, ≤ 11 digits (≤ 13 characters with hyphens);
 * gives its digits without hyphens. */
export function checkBlockedCaller(input: string): BlockedCallerCheck {
  const refuse = (message: string): BlockedCallerCheck => ({ ok: false, message });
  if (!/^[0-9-]+$/.test(input)) return refuse(blockedCallerMessages.characters);
  const digits = input.replaceAll('-', '');
  if (input.length - digits.length > 3) return refuse(blockedCallerMessages.hyphens);
  if (input.length > 13) return refuse(blockedCallerMessages.length);
  if (!/^0[1-9][0-9]{0,9}$/.test(digits)) return refuse(blockedCallerMessages.number);
  return { ok: true, number: digits };
}
