// Address-of-record keys. Our AORs are national numbers (SPEC.md §2): a REGISTER's To URI
// may carry the number in national form, with hyphens or visual separators, or in the
// +81 international form; all of them name the same AOR.
import { isSipUri, unescape, type Uri } from '@ipvoice/sip';

/** The digits of a national number, or undefined when `user` is not a phone number. */
export function nationalNumber(user: string): string | undefined {
  // RFC 3966 §5.1.1 visual separators may appear in a telephone-subscriber user part.
  const compact = user.replace(/[-.()]/g, '');
  if (/^\+81[1-9]\d{8,9}$/.test(compact)) return `0${compact.slice(3)}`;
  if (/^81[1-9]\d{8,9}$/.test(compact)) return `0${compact.slice(2)}`;
  if (/^0\d{9,10}$/.test(compact)) return compact;
  return undefined;
}

/** The AOR user of a REGISTER's To URI (RFC 3261 §10.3 step 5), unescaped; undefined when
 * the URI is not a SIP or SIPS URI with a user part. */
export function aorUser(uri: Uri): string | undefined {
  if (!isSipUri(uri) || uri.user === undefined || uri.user === '') return undefined;
  return unescape(uri.user);
}
