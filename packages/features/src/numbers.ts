// Phone numbers as the decision core compares them: Japanese national digits (`0…`), or an
// international number with the 010 prefix (`010…`). Every entry form a user, a CSV file or
// a SIP peer may use is brought to that one form, so equal numbers compare equal.

/** SPEC §3.1: the longest number a user may enter, in digits. */
export const MAX_NUMBER_DIGITS = 32;

/** The international call prefix dialled in Japan. */
export const INTERNATIONAL_PREFIX = '010';

const JAPAN_COUNTRY_CODE = '81';

// E.164 numbers are at least 7 digits with the country code (e.g. Niue, +683 XXXX).
const MIN_INTERNATIONAL_DIGITS = 7;
const MAX_INTERNATIONAL_DIGITS = MAX_NUMBER_DIGITS - INTERNATIONAL_PREFIX.length;

// RFC 3966 §5.1.1 visual separators, plus the space people type between digit groups.
const VISUAL_SEPARATORS = /[-.() ]/g;

/**
 * The national form of a Japanese number given by what follows its country code 81:
 * `3 1234 5678` → `0312345678`. A written trunk zero (`+81 (0)3 …`) is kept rather than
 * doubled. Undefined unless the result has a national number's 10–11 digits.
 */
function nationalFromJapanese(significant: string): string | undefined {
  const national = significant.startsWith('0') ? significant : `0${significant}`;
  return /^0[1-9]\d{8,9}$/.test(national) ? national : undefined;
}

/** `010` + country code + number: a Japanese country code gives the national form instead. */
function fromInternational(digits: string): string | undefined {
  if (digits.startsWith(JAPAN_COUNTRY_CODE)) {
    return nationalFromJapanese(digits.slice(JAPAN_COUNTRY_CODE.length));
  }
  // Country codes never start with 0 (ITU-T E.164 §6.2.1).
  if (!/^[1-9]\d*$/.test(digits)) return undefined;
  if (digits.length < MIN_INTERNATIONAL_DIGITS || digits.length > MAX_INTERNATIONAL_DIGITS) {
    return undefined;
  }
  return INTERNATIONAL_PREFIX + digits;
}

/**
 * The national digits of a phone number in any entry form, or undefined when `input` is not
 * one. Accepted: `03-1234-5678`, `(03) 1234.5678`, `+81-3-1234-5678`, `81312345678`,
 * `+81 (0)3 1234 5678` → `0312345678`; `010-1-212-555-0123` and `+1 212 555 0123` →
 * `0101212…`. A Japanese number dialled internationally (`+81…`, `01081…`) becomes national,
 * so that it compares equal to the same number written nationally.
 */
export function normalizeNumber(input: string): string | undefined {
  const compact = input.trim().replace(VISUAL_SEPARATORS, '');
  if (compact.startsWith('+')) {
    const digits = compact.slice(1);
    return /^\d+$/.test(digits) ? fromInternational(digits) : undefined;
  }
  if (!/^\d+$/.test(compact)) return undefined;
  if (compact.startsWith(INTERNATIONAL_PREFIX)) {
    return fromInternational(compact.slice(INTERNATIONAL_PREFIX.length));
  }
  if (compact.startsWith(JAPAN_COUNTRY_CODE)) {
    return nationalFromJapanese(compact.slice(JAPAN_COUNTRY_CODE.length));
  }
  // 00XY is a carrier-selection prefix, never the start of a national number.
  return /^0[1-9]\d{8,9}$/.test(compact) ? compact : undefined;
}

/** True for a number dialled abroad (010 prefix), in any form `normalizeNumber` accepts. */
export function isInternational(number: string): boolean {
  return normalizeNumber(number)?.startsWith(INTERNATIONAL_PREFIX) ?? false;
}

/** The parts of a parsed URI `numberFromUri` reads; @ipvoice/sip's `Uri` fits it. */
export interface NumberUri {
  scheme: string;
  /** SIP/SIPS user part, as written (may be %-escaped, may carry `;` parameters). */
  user?: string;
  /** tel URI telephone-subscriber without its parameters (RFC 3966 §3). */
  number?: string;
  params?: Record<string, string | null>;
}

function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * RFC 3966 §5.1.5: a local number is meaningful only within its phone-context. A context of
 * `+81` or a domain name is taken as ours; a foreign country's context makes the local
 * digits unknowable here.
 */
function inJapaneseContext(subscriber: string, phoneContext: string | null | undefined): boolean {
  if (subscriber.startsWith('+') || phoneContext == null) return true;
  if (!phoneContext.startsWith('+')) return true;
  return phoneContext.replace(VISUAL_SEPARATORS, '') === `+${JAPAN_COUNTRY_CODE}`;
}

/** Parameters of a telephone-subscriber written in a SIP user part (RFC 3261 §19.1.6). */
function splitUserParams(user: string): { subscriber: string; phoneContext?: string | null } {
  const [subscriber = '', ...params] = user.split(';');
  for (const param of params) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    if (name === 'phone-context') return { subscriber, phoneContext: param.slice(eq + 1) };
  }
  return { subscriber };
}

/**
 * The normalized number a SIP, SIPS or tel URI addresses, or undefined when it addresses
 * no phone number (`sip:alice@…`, `mailto:`, a foreign local number …). RFC 3966 parameters
 * (`;phone-context=`, `;isub=`, `;ext=`) are not part of the number.
 */
export function numberFromUri(uri: NumberUri): string | undefined {
  const scheme = uri.scheme.toLowerCase();
  if (scheme === 'tel') {
    if (uri.number === undefined) return undefined;
    if (!inJapaneseContext(uri.number, uri.params?.['phone-context'])) return undefined;
    return normalizeNumber(uri.number);
  }
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  if (uri.user === undefined) return undefined;
  // RFC 3261 §19.1.2: the user part may be escaped (`%2B81…`).
  const user = percentDecode(uri.user);
  if (user === undefined) return undefined;
  const { subscriber, phoneContext } = splitUserParams(user);
  if (!inJapaneseContext(subscriber, phoneContext)) return undefined;
  return normalizeNumber(subscriber);
}
