// URIs: SIP/SIPS (RFC 3261 §19.1), tel (RFC 3966), anything else kept as text.
import type { OtherUri, Params, SipUri, TelUri, Uri } from './types.ts';
import { formatParams, parseParams } from './params.ts';

const HEX = /^[0-9A-Fa-f]{2}$/;

/** %HEX HEX unescaping (RFC 3261 §19.1.2); a `%` not followed by two hex digits stays as is. */
export function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && HEX.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(s[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  return text.includes('\uFFFD') ? buf.toString('latin1') : text;
}

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved )
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

/** Escapes a user part: everything outside the `user` production becomes %XX. */
export function escapeUser(s: string): string {
  let out = '';
  for (const ch of s) {
    if (USER_SAFE.test(ch)) out += ch;
    else
      for (const b of Buffer.from(ch, 'utf8'))
        out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const HOSTNAME = /^[A-Za-z0-9\-.]+$/;
const IPV6REF = /^\[[0-9A-Fa-f:.]+\]$/;
const USERINFO = /^[^\s<>"@]*$/;

function parseHostPort(hp: string): { host: string; port?: number } | undefined {
  let host: string;
  let portText: string | undefined;
  if (hp.charCodeAt(0) === 91) {
    const close = hp.indexOf(']');
    if (close < 0) return undefined;
    host = hp.slice(0, close + 1);
    if (!IPV6REF.test(host)) return undefined;
    const rest = hp.slice(close + 1);
    if (rest.length > 0) {
      if (rest.charCodeAt(0) !== 58) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = hp.indexOf(':');
    host = colon < 0 ? hp : hp.slice(0, colon);
    if (colon >= 0) portText = hp.slice(colon + 1);
    if (!HOSTNAME.test(host)) return undefined;
  }
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port };
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | undefined {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  // RFC 3261 §19.1.1: '@' cannot appear unescaped after the userinfo, so the first one ends it.
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    if (!USERINFO.test(userinfo)) return undefined;
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      user = userinfo.slice(0, colon);
      password = userinfo.slice(colon + 1);
    } else user = userinfo;
    if (user.length === 0) return undefined;
  }
  let headersText: string | undefined;
  const q = hostPart.indexOf('?');
  if (q >= 0) {
    headersText = hostPart.slice(q + 1);
    hostPart = hostPart.slice(0, q);
  }
  let params: Params = {};
  const semi = hostPart.indexOf(';');
  if (semi >= 0) {
    const parsed = parseParams(hostPart.slice(semi + 1));
    if (!parsed) return undefined;
    params = parsed;
    hostPart = hostPart.slice(0, semi);
  }
  const hp = parseHostPort(hostPart);
  if (!hp) return undefined;
  const headers: Record<string, string> = {};
  if (headersText !== undefined) {
    for (const h of headersText.split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0 || /[\s<>"]/.test(h)) return undefined;
      headers[h.slice(0, eq)] = h.slice(eq + 1);
    }
  }
  const uri: SipUri = { scheme, host: hp.host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (hp.port !== undefined) uri.port = hp.port;
  return uri;
}

/** Parses an absolute URI; undefined when it is not one (no scheme, whitespace, bad host …). */
export function parseUri(text: string): Uri | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const schemeText = text.slice(0, colon);
  if (!SCHEME.test(schemeText)) return undefined;
  const scheme = schemeText.toLowerCase();
  const rest = text.slice(colon + 1);
  if (rest.length === 0 || /[\s<>"]/.test(rest)) return undefined;
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest);
  if (scheme === 'tel') {
    // RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;params
    const semi = rest.indexOf(';');
    const number = semi < 0 ? rest : rest.slice(0, semi);
    if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) return undefined;
    const params = semi < 0 ? {} : parseParams(rest.slice(semi + 1));
    if (!params) return undefined;
    const tel: TelUri = { scheme: 'tel', number, params };
    return tel;
  }
  const other: OtherUri = { scheme, value: rest };
  return other;
}

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}

export function isTelUri(uri: Uri): uri is TelUri {
  return uri.scheme === 'tel';
}

export function formatUri(uri: Uri): string {
  if (isSipUri(uri)) {
    let out = uri.scheme + ':';
    if (uri.user !== undefined) {
      out += uri.user;
      if (uri.password !== undefined) out += ':' + uri.password;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += ':' + uri.port;
    out += formatParams(uri.params);
    const names = Object.keys(uri.headers);
    if (names.length > 0) out += '?' + names.map((n) => `${n}=${uri.headers[n]}`).join('&');
    return out;
  }
  if (isTelUri(uri)) return 'tel:' + uri.number + formatParams(uri.params);
  return uri.scheme + ':' + (uri as OtherUri).value;
}

// RFC 3261 §19.1.4: these parameters must match when present in either URI.
const SIGNIFICANT = ['user', 'ttl', 'method', 'maddr', 'transport'];

function paramValue(v: string | null | undefined): string | null | undefined {
  return typeof v === 'string' ? unescape(v).toLowerCase() : v;
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  // userinfo is case-sensitive, compared after unescaping (%75se%72 == user)
  if ((a.user === undefined) !== (b.user === undefined)) return false;
  if (a.user !== undefined && unescape(a.user) !== unescape(b.user ?? '')) return false;
  if (
    (a.password === undefined ? undefined : unescape(a.password)) !==
    (b.password === undefined ? undefined : unescape(b.password))
  )
    return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  // An absent port is not equal to an explicit default one.
  if (a.port !== b.port) return false;
  for (const name of SIGNIFICANT) {
    if (paramValue(a.params[name]) !== paramValue(b.params[name])) return false;
  }
  for (const name in a.params) {
    if (SIGNIFICANT.includes(name) || !(name in b.params)) continue;
    if (paramValue(a.params[name]) !== paramValue(b.params[name])) return false;
  }
  const ah = Object.keys(a.headers).map((k) => k.toLowerCase());
  const bh = Object.keys(b.headers).map((k) => k.toLowerCase());
  if (ah.length !== bh.length) return false;
  for (const k of Object.keys(a.headers)) {
    const bk = Object.keys(b.headers).find((x) => x.toLowerCase() === k.toLowerCase());
    if (bk === undefined || unescape(a.headers[k] ?? '') !== unescape(b.headers[bk] ?? ''))
      return false;
  }
  return true;
}

/** URI equality: RFC 3261 §19.1.4 for SIP/SIPS, RFC 3966 §4 for tel, text otherwise. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (isSipUri(a) && isSipUri(b)) return sipUriEquals(a, b);
  if (isTelUri(a) && isTelUri(b)) {
    const digits = (n: string) => n.replace(/[\-.()]/g, '').toLowerCase();
    if (digits(a.number) !== digits(b.number)) return false;
    const an = Object.keys(a.params);
    if (an.length !== Object.keys(b.params).length) return false;
    return an.every((k) => paramValue(a.params[k]) === paramValue(b.params[k]));
  }
  if (a.scheme.toLowerCase() !== b.scheme.toLowerCase()) return false;
  return (a as OtherUri).value === (b as OtherUri).value;
}
