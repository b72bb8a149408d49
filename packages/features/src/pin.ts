// SPEC §3.11: the voicemail PIN a subscriber may set. Provisioning checks it on entry; the
// message centre never needs to, it only compares.

/** One message per rule, meant to be shown verbatim. */
export const pinMessages = {
  digitsOnly: 'a PIN is digits only (0–9)',
  length: 'a PIN has 4–8 digits',
  run: 'a PIN cannot contain 4 or more consecutive digits such as 6789 or 3210',
  repeated: 'a PIN cannot repeat the same digit 4 or more times in a row',
} as const;

export type PinCheck = { ok: true } | { ok: false; message: string };

const RUN = 4;

/**
 * Whether `pin` may be set. Rules are checked in the order of `pinMessages` and the first one
 * broken is reported, so a PIN breaking several gets one stable message.
 *
 * SPEC §3.11 refuses "4 or more of the same digit". Read as 4 or more of the same digit in a
 * row (1111, 577778), as provisioning always has: 11211121 holds five 1s and is allowed.
 * Runs do not wrap round: 8901 and 1098 are not consecutive digits.
 */
export function validatePin(pin: string): PinCheck {
  if (!/^[0-9]*$/.test(pin)) return { ok: false, message: pinMessages.digitsOnly };
  if (pin.length < 4 || pin.length > 8) return { ok: false, message: pinMessages.length };
  if (hasStreak(pin, 1) || hasStreak(pin, -1)) return { ok: false, message: pinMessages.run };
  if (hasStreak(pin, 0)) return { ok: false, message: pinMessages.repeated };
  return { ok: true };
}

/** True when RUN digits in a row each differ from the one before by `step`. */
function hasStreak(digits: string, step: 1 | 0 | -1): boolean {
  let streak = 1;
  for (let i = 1; i < digits.length; i++) {
    streak = digits.charCodeAt(i) - digits.charCodeAt(i - 1) === step ? streak + 1 : 1;
    if (streak >= RUN) return true;
  }
  return false;
}
