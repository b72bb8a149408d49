// Generic parameters (RFC 3261 §25.1: generic-param = token [ EQUAL gen-value ]).
import type { Params } from './types.ts';
import { isToken, readQuoted } from './scan.ts';

function validValue(v: string): boolean {
  if (v.length === 0) return false;
  if (v.charCodeAt(0) === 34) {
    const q = readQuoted(v, 0);
    return q !== undefined && q.end === v.length;
  }
  // gen-value = token / host / quoted-string; host may be an IPv6 reference.
  if (v.charCodeAt(0) === 91) return /^\[[0-9A-Fa-f:.]+\]$/.test(v);
  return isToken(v) || /^[^\s;,"<>]+$/.test(v);
}

/** Parses `;a=b;c` (the text after a header value's first `;`, without that `;`).
 * Names are lower-cased; LWS around `;` and `=` is allowed (SWS). Undefined when malformed,
 * e.g. an empty parameter (`;;`, RFC 4475 §3.1.2.1). */
export function parseParams(text: string, into: Params = {}): Params | undefined {
  let i = 0;
  const n = text.length;
  for (;;) {
    // one parameter up to the next top-level ';'
    let end = i;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 59) break;
      if (c === 34) {
        const q = readQuoted(text, end);
        if (!q) return undefined;
        end = q.end;
        continue;
      }
      end++;
    }
    const part = text.slice(i, end);
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!isToken(name)) return undefined;
    if (eq < 0) into[name.toLowerCase()] = null;
    else {
      const value = part.slice(eq + 1).trim();
      if (!validValue(value)) return undefined;
      into[name.toLowerCase()] = value;
    }
    if (end >= n) return into;
    i = end + 1;
  }
}

export function formatParams(params: Params): string {
  let out = '';
  for (const name in params) {
    const v = params[name];
    out += v === null || v === undefined ? `;${name}` : `;${name}=${v}`;
  }
  return out;
}
