// name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1).
import type { NameAddr } from './types.ts';
import { formatParams, parseParams } from './params.ts';
import { isToken, quote, readQuoted, splitTopLevel } from './scan.ts';
import { formatUri, parseUri } from './uri.ts';

/** Parses one From/To/Contact/Route value; undefined when malformed. */
export function parseNameAddr(text: string): NameAddr | undefined {
  const s = text.trim();
  if (s.length === 0) return undefined;
  let displayName: string | undefined;
  let lt: number;
  if (s.charCodeAt(0) === 34) {
    const q = readQuoted(s, 0);
    if (!q) return undefined;
    displayName = q.text;
    lt = q.end;
    while (lt < s.length && (s[lt] === ' ' || s[lt] === '\t')) lt++;
    if (s[lt] !== '<') return undefined;
  } else {
    lt = s.indexOf('<');
    if (lt >= 0) {
      const semi = s.indexOf(';');
      if (semi >= 0 && semi < lt) lt = -1; // `<` inside header params of an addr-spec
    }
    if (lt > 0) {
      // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string. RFC 4475 §3.1.1.6
      // (lwsdisp) says to accept a token directly followed by '<'.
      const words = s
        .slice(0, lt)
        .trim()
        .split(/[ \t]+/);
      if (!words.every(isToken)) return undefined;
      displayName = words.join(' ');
    }
  }
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) return undefined;
    const inner = s.slice(lt + 1, gt);
    // RFC 4475 §3.1.2.14 (badaspec): no LWS inside <>
    if (inner.length === 0 || inner.trim() !== inner) return undefined;
    const uri = parseUri(inner);
    if (!uri) return undefined;
    const rest = s.slice(gt + 1).trimStart();
    let params = {};
    if (rest.length > 0) {
      if (rest.charCodeAt(0) !== 59) return undefined;
      const p = parseParams(rest.slice(1));
      if (!p) return undefined;
      params = p;
    }
    const na: NameAddr = { uri, params };
    if (displayName !== undefined) na.displayName = displayName;
    return na;
  }
  // addr-spec: RFC 3261 §20.10 — parameters after the URI are header parameters, and a URI
  // with ',', '?' or ';' must be in <> (RFC 4475 §3.1.2.13 regbadct).
  const semi = s.indexOf(';');
  const uriText = (semi < 0 ? s : s.slice(0, semi)).trim();
  if (uriText.includes('?') || uriText.includes(',')) return undefined;
  const uri = parseUri(uriText);
  if (!uri) return undefined;
  let params = {};
  if (semi >= 0) {
    const p = parseParams(s.slice(semi + 1));
    if (!p) return undefined;
    params = p;
  }
  return { uri, params };
}

/** Parses a comma-separated list (Contact, Route, Record-Route, Path …); undefined if any fails. */
export function parseNameAddrList(text: string): NameAddr[] | undefined {
  const parts = splitTopLevel(text, ',');
  if (!parts) return undefined;
  const out: NameAddr[] = [];
  for (const part of parts) {
    const na = parseNameAddr(part);
    if (!na) return undefined;
    out.push(na);
  }
  return out;
}

/** Always writes the name-addr form (<uri>), which is safe for every URI. */
export function formatNameAddr(na: NameAddr): string {
  const name =
    na.displayName !== undefined && na.displayName.length > 0 ? quote(na.displayName) + ' ' : '';
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}
