/** SPEC §2: hyphens are accepted on input (up to 3) and stripped. */
export function countHyphens(text: string): number {
  return text.split('-').length - 1;
}

export function stripHyphens(text: string): string {
  return text.replaceAll('-', '');
}

/**
 * SPEC §3.1 forwarding-target rules, on digits already stripped of hyphens.
 * Returns the reason a target is refused, or undefined when it is allowed.
 */
export function forwardingTargetProblem(digits: string): string | undefined {
  if (digits.startsWith('#')) return 'a forwarding target cannot start with #';
  if (!/^[0-9]+$/.test(digits)) return 'a forwarding target is digits and up to 3 hyphens';
  if (digits.length > 32) return 'a forwarding target has at most 32 digits';
  if (digits.startsWith('010'))
    return digits.length > 3 ? undefined : 'an international target needs digits after 010';
  if (digits.startsWith('00'))
    return 'carrier-selection prefixes (00XY) cannot be forwarding targets';
  if (digits.startsWith('1'))
    return 'short codes (1XY such as 104, 110, 117, 119, 177) cannot be forwarding targets';
  if (!digits.startsWith('0')) return 'extension numbers cannot be forwarding targets';
  if (/^(0120|0570|0990|0800)/.test(digits))
    return '0120, 0570, 0990 and 0800 numbers cannot be forwarding targets';
  if (/^0[2346]0/.test(digits)) return '020, 030, 040 and 060 numbers cannot be forwarding targets';
  if (digits.startsWith('0503300')) return '050-3300 numbers cannot be forwarding targets';
  if (digits.length < 10 || digits.length > 11)
    return 'a domestic target has 10–11 digits including the area code';
  return undefined;
}
