// Authorization / WWW-Authenticate values (RFC 3261 §25.1 challenge and credentials, RFC 7235 §2.1):
//   scheme LWS auth-param *(COMMA auth-param), auth-param = token EQUAL (token / quoted-string).
// DEVIATION: kept local until the message layer offers parseAuthParams; same shape, easy to swap.
import type { HeaderField, SipMessage } from '../message/types.ts';

export interface AuthValue {
  /** As written; compare case-insensitively. */
  scheme: string;
  /** Lower-cased names, values with quotes and escapes removed. */
  params: Record<string, string>;
}

export type AuthParseResult = { ok: true; value: AuthValue } | { ok: false; reason: string };

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+/;
const WS = /^[ \t\r\n]*/;

export function parseAuthValue(text: string): AuthParseResult {
  let rest = text.replace(WS, '');
  const scheme = TOKEN.exec(rest)?.[0];
  if (!scheme) return { ok: false, reason: 'missing auth scheme' };
  rest = rest.slice(scheme.length);
  const params: Record<string, string> = {};
  const afterScheme = rest.replace(WS, '');
  if (afterScheme !== '' && afterScheme.length === rest.length)
    return { ok: false, reason: 'no space after scheme' };
  rest = afterScheme;
  while (rest !== '') {
    const name = TOKEN.exec(rest)?.[0];
    if (!name) return { ok: false, reason: `bad parameter at "${rest.slice(0, 20)}"` };
    rest = rest.slice(name.length).replace(WS, '');
    if (!rest.startsWith('=')) return { ok: false, reason: `parameter ${name} has no value` };
    rest = rest.slice(1).replace(WS, '');
    let value: string;
    if (rest.startsWith('"')) {
      const quoted = readQuoted(rest);
      if (!quoted) return { ok: false, reason: `unterminated quoted value of ${name}` };
      value = quoted.value;
      rest = rest.slice(quoted.length);
    } else {
      const token = TOKEN.exec(rest)?.[0];
      if (!token) return { ok: false, reason: `parameter ${name} has no value` };
      value = token;
      rest = rest.slice(token.length);
    }
    const key = name.toLowerCase();
    // RFC 7235 §2.2 / RFC 7616 §3.3: each directive appears at most once.
    if (key in params) return { ok: false, reason: `parameter ${name} repeated` };
    params[key] = value;
    rest = rest.replace(WS, '');
    if (rest === '') break;
    if (!rest.startsWith(','))
      return { ok: false, reason: `expected comma at "${rest.slice(0, 20)}"` };
    rest = rest.slice(1).replace(WS, '');
  }
  return { ok: true, value: { scheme, params } };
}

function readQuoted(text: string): { value: string; length: number } | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { value, length: i + 1 };
    if (ch === '\\') {
      // RFC 3261 §25.1: quoted-pair = "\" any char except CR/LF.
      i++;
      const next = text[i];
      if (next === undefined) return undefined;
      value += next;
    } else {
      value += ch;
    }
  }
  return undefined;
}

/** One directive to write; `quoted` for quoted-string values. */
export type AuthParam = readonly [name: string, value: string, quoted: boolean];

export function formatAuthValue(scheme: string, params: readonly AuthParam[]): string {
  const parts = params.map(([name, value, quoted]) =>
    quoted ? `${name}="${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : `${name}=${value}`,
  );
  return `${scheme} ${parts.join(', ')}`;
}

/** Raw values of every header field with this name (case-insensitive; these have no compact form). */
export function headerValues(message: SipMessage, name: string): string[] {
  const lower = name.toLowerCase();
  return message.headers
    .filter((h: HeaderField) => h.name.toLowerCase() === lower)
    .map((h) => h.value);
}
