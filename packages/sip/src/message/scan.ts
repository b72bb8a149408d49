// Low-level scanning shared by the header parsers (RFC 3261 §25.1 basic rules).

const TOKEN = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Splits at `sep` outside quoted strings and <...>; parts are trimmed. Returns undefined
 * on an unterminated quote or bracket. */
export function splitTopLevel(value: string, sep: string): string[] | undefined {
  const sepCode = sep.charCodeAt(0);
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92)
        i++; // quoted-pair
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (inAngle) {
      if (c === 62) inAngle = false;
    } else if (c === 60) inAngle = true;
    else if (c === sepCode) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inQuote || inAngle) return undefined;
  out.push(value.slice(start).trim());
  return out;
}

/** Reads a quoted-string starting at `at` (which must be `"`); returns the unescaped text and
 * the index after the closing quote. RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F). */
export function readQuoted(s: string, at: number): { text: string; end: number } | undefined {
  let text = '';
  let runStart = at + 1;
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      if (i + 1 >= s.length) return undefined;
      text += s.slice(runStart, i) + s[i + 1];
      i++;
      runStart = i + 1;
    } else if (c === 34) {
      return { text: text + s.slice(runStart, i), end: i + 1 };
    }
  }
  return undefined;
}

const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f]/;

/** Quotes a string for a quoted-string, escaping `"`, `\` and control characters. */
export function quote(s: string): string {
  // Most values (nonces, realms, tags) need no escaping: skip the character-by-character copy.
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c < 32 || c === 127) out += '\\';
    out += s[i];
  }
  return out + '"';
}

/** Removes surrounding quotes and quoted-pairs if the value is a quoted-string. */
export function unquote(s: string): string {
  if (s.length >= 2 && s.charCodeAt(0) === 34) {
    const q = readQuoted(s, 0);
    if (q && q.end === s.length) return q.text;
  }
  return s;
}
