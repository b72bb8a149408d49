// SPEC §4: the password an account may set (portal and REST API). Hashing is the API's
// business; this only says whether a password is acceptable.

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 40;

/** One message per rule, meant to be shown verbatim. */
export const passwordMessages = {
  length: `a password has ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`,
  letters: 'a password must contain at least one letter',
  digits: 'a password must contain at least one digit',
} as const;

export type PasswordCheck = { ok: true } | { ok: false; message: string };

/**
 * Whether `password` may be set. Rules are checked in the order of `passwordMessages` and
 * the first one broken is reported. Length counts characters (code points), not bytes, so a
 * password with non-ASCII letters is measured as its owner typed it; "letters" are any
 * Unicode letters.
 */
export function validatePassword(password: string): PasswordCheck {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    return { ok: false, message: passwordMessages.length };
  }
  if (!/\p{L}/u.test(password)) return { ok: false, message: passwordMessages.letters };
  if (!/[0-9]/.test(password)) return { ok: false, message: passwordMessages.digits };
  return { ok: true };
}
