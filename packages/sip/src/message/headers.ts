// Header lookup over raw fields: case-insensitive and compact-form aware (RFC 3261 §7.3.1, §7.3.3).
import type { HeaderField } from './types.ts';
import { splitTopLevel, unquote } from './scan.ts';

/** RFC 3261 §7.3.3 and later RFCs: compact form → long name (lower case). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  f: 'from',
  t: 'to',
  v: 'via',
  s: 'subject',
  k: 'supported',
  c: 'content-type',
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  u: 'allow-events', // RFC 6665
  b: 'referred-by', // RFC 3892
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
  a: 'accept-contact', // RFC 3841
};

/** The usual spellings of the headers every request carries or every lookup asks for,
 * mapped to their canonical names: canonicalName runs for every field of every lookup, and
 * a hit here spares a lower-cased copy of the name. Fixed, so it cannot grow with input. */
const USUAL_SPELLINGS: ReadonlyMap<string, string> = new Map(
  [
    'Via',
    'From',
    'To',
    'Call-ID',
    'CSeq',
    'Contact',
    'Max-Forwards',
    'Route',
    'Record-Route',
    'Content-Length',
    'Content-Type',
    'Content-Encoding',
    'Expires',
    'Min-Expires',
    'User-Agent',
    'Server',
    'Allow',
    'Supported',
    'Require',
    'Proxy-Require',
    'Unsupported',
    'Accept',
    'Authorization',
    'WWW-Authenticate',
    'Proxy-Authorization',
    'Proxy-Authenticate',
    'Date',
    'Path',
    'Timestamp',
    'Event',
  ].map((name) => [name, name.toLowerCase()]),
);

/** Lower-case long form of a header name. */
export function canonicalName(name: string): string {
  const usual = USUAL_SPELLINGS.get(name);
  if (usual !== undefined) return usual;
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
}

export type HeaderSource = HeaderField[] | { headers: HeaderField[] };

function fields(src: HeaderSource): HeaderField[] {
  return Array.isArray(src) ? src : src.headers;
}

/** First value of a header, or undefined. Only sees raw headers, not the typed fields. */
export function getHeader(src: HeaderSource, name: string): string | undefined {
  const want = canonicalName(name);
  for (const h of fields(src)) if (canonicalName(h.name) === want) return h.value;
  return undefined;
}

/** Every value of a header, one per header line, in order. */
export function getHeaders(src: HeaderSource, name: string): string[] {
  const want = canonicalName(name);
  const out: string[] = [];
  for (const h of fields(src)) if (canonicalName(h.name) === want) out.push(h.value);
  return out;
}

/** Replaces every occurrence with one field (at the first one's place, else at the end). */
export function setHeader(src: HeaderSource, name: string, value: string): void {
  const list = fields(src);
  const want = canonicalName(name);
  const first = list.findIndex((h) => canonicalName(h.name) === want);
  removeHeader(list, name);
  if (first < 0) list.push({ name, value });
  else list.splice(first, 0, { name, value });
}

export function addHeader(src: HeaderSource, name: string, value: string): void {
  fields(src).push({ name, value });
}

/** Removes every occurrence; returns how many were removed. */
export function removeHeader(src: HeaderSource, name: string): number {
  const list = fields(src);
  const want = canonicalName(name);
  let removed = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const h = list[i];
    if (h && canonicalName(h.name) === want) {
      list.splice(i, 1);
      removed++;
    }
  }
  return removed;
}

/** Comma-separated token lists (Require, Supported, Allow, Proxy-Require, Unsupported …)
 * across all lines of the header; empty items are dropped. */
export function getTokenList(src: HeaderSource, name: string): string[] {
  const out: string[] = [];
  for (const v of getHeaders(src, name)) {
    for (const item of v.split(',')) {
      const t = item.trim();
      if (t.length > 0) out.push(t);
    }
  }
  return out;
}

export interface AuthParams {
  /** As written, e.g. `Digest`; compare case-insensitively (RFC 3261 §25.1 auth-scheme). */
  scheme: string;
  /** Lower-cased names; quoted-string values unquoted. */
  params: Record<string, string>;
  /** The token68 form some schemes use instead of parameters. */
  token68?: string;
}

/** Parses an Authorization / WWW-Authenticate / Proxy-Authorization / Proxy-Authenticate value
 * (RFC 3261 §20.7, §20.44, §25.1; RFC 7235 §2.1). Undefined when malformed. */
export function parseAuthParams(value: string): AuthParams | undefined {
  const s = value.trim();
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ \t]+([\s\S]*))?$/.exec(s);
  if (!m || m[1] === undefined) return undefined;
  const scheme = m[1];
  const rest = (m[2] ?? '').trim();
  const result: AuthParams = { scheme, params: {} };
  if (rest.length === 0) return result;
  if (/^[A-Za-z0-9\-._~+/]+=*$/.test(rest) && !/^[^=]+=[^=]/.test(rest)) {
    result.token68 = rest;
    return result;
  }
  const parts = splitTopLevel(rest, ',');
  if (!parts) return undefined;
  for (const part of parts) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const name = part.slice(0, eq).trim().toLowerCase();
    result.params[name] = unquote(part.slice(eq + 1).trim());
  }
  return result;
}
