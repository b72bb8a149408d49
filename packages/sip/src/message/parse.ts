// SIP message parser (RFC 3261 §7, §20, §25). Returns a result; never throws on input.
import type {
  CSeq,
  HeaderField,
  NameAddr,
  ParseError,
  ParseResult,
  SipMessage,
  Uri,
  Via,
} from './types.ts';
import { canonicalName } from './headers.ts';
import { parseNameAddr, parseNameAddrList } from './name-addr.ts';
import { isToken } from './scan.ts';
import { parseUri } from './uri.ts';
import { parseViaList } from './via.ts';

export interface ParseOptions {
  /** Datagrams larger than this are refused with 513 (RFC 3261 §18.1.1 / §21.5.14). */
  maxSize?: number;
}

const DEFAULT_MAX_SIZE = 65535;
const MAX_CSEQ = 2 ** 31 - 1; // RFC 3261 §8.1.1.5: CSeq MUST be less than 2**31
const CSEQ = /^(\d+)[ \t\r\n]+([^ \t\r\n]+)$/;
const START_REQUEST = /^([^ ]+) ([^ ]+) (SIP\/\d+\.\d+)$/i;
const START_RESPONSE = /^SIP\/(\d+\.\d+) (\d+)(?: ([\s\S]*))?$/i;
const VERSION = /^SIP\/\d+\.\d+$/i;

/** Trims SP/HT only: String.prototype.trim would also eat U+FEFF and other Unicode spaces. */
function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function fail(
  status: number,
  reason: string,
  isRequest: boolean,
  headers: HeaderField[],
): ParseResult {
  const error: ParseError = { status, reason, isRequest, headers };
  return { ok: false, error };
}

/** `SIP/` in any case at `at`, compared byte by byte rather than through a decoded copy. */
function startsWithSipSlash(data: Buffer, at: number): boolean {
  return (
    ((data[at] ?? 0) | 0x20) === 0x73 &&
    ((data[at + 1] ?? 0) | 0x20) === 0x69 &&
    ((data[at + 2] ?? 0) | 0x20) === 0x70 &&
    data[at + 3] === 0x2f
  );
}

/** Finds the blank line ending the header section: CRLFCRLF, or bare LFLF from sloppy senders. */
function findHeaderEnd(data: Buffer, from: number): { end: number; bodyStart: number } | undefined {
  const crlf = data.indexOf('\r\n\r\n', from, 'latin1');
  const lf = data.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf + 1 <= lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

/** Splits the header section into the start line and unfolded header fields (RFC 3261 §7.3.1).
 * Names and values are sliced straight out of `head`; only the start line and folded
 * continuations are cut out as whole lines. */
function splitLines(head: string): { startLine: string; fields: HeaderField[] } | string {
  const fields: HeaderField[] = [];
  let startLine: string | undefined;
  let pos = 0;
  const n = head.length;
  let pendingName: string | undefined;
  let pendingValue = '';
  while (pos <= n) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = n;
    let lineEnd = nl;
    if (lineEnd > pos && head.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const lineStart = pos;
    pos = nl + 1;
    if (startLine === undefined) {
      startLine = head.slice(lineStart, lineEnd);
      continue;
    }
    const c0 = lineStart < lineEnd ? head.charCodeAt(lineStart) : -1;
    if (c0 === 32 || c0 === 9) {
      // folded continuation: the CRLF and leading whitespace are equivalent to one SP
      if (pendingName === undefined) return 'Bad start line: leading whitespace';
      pendingValue += ' ' + trimLws(head.slice(lineStart, lineEnd));
      continue;
    }
    if (pendingName !== undefined) fields.push({ name: pendingName, value: trimLws(pendingValue) });
    const colon = head.indexOf(':', lineStart);
    if (colon <= lineStart || colon >= lineEnd) return 'Malformed header line';
    let nameEnd = colon;
    while (
      nameEnd > lineStart &&
      (head.charCodeAt(nameEnd - 1) === 32 || head.charCodeAt(nameEnd - 1) === 9)
    )
      nameEnd--;
    pendingName = head.slice(lineStart, nameEnd);
    if (!isToken(pendingName)) return 'Malformed header name';
    // Leading LWS is dropped here so that the usual unfolded value is sliced only once;
    // trailing LWS stays until the field is complete, as a fold may follow it.
    let valueStart = colon + 1;
    while (
      valueStart < lineEnd &&
      (head.charCodeAt(valueStart) === 32 || head.charCodeAt(valueStart) === 9)
    )
      valueStart++;
    pendingValue = head.slice(valueStart, lineEnd);
  }
  if (pendingName !== undefined) fields.push({ name: pendingName, value: trimLws(pendingValue) });
  return { startLine: startLine ?? '', fields };
}

/** Parses one datagram or one framed stream message. */
export function parseMessage(data: Buffer, options: ParseOptions = {}): ParseResult {
  let start = 0;
  // RFC 3261 §7.5: ignore CRLFs before the start line (keep-alives, stream leftovers)
  while (start < data.length && (data[start] === 13 || data[start] === 10)) start++;
  const looksLikeResponse = data.length - start >= 4 && startsWithSipSlash(data, start);
  const isRequest = !looksLikeResponse;
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (data.length > maxSize) return fail(513, 'Message Too Large', isRequest, []);
  if (start >= data.length) return fail(400, 'Empty message', isRequest, []);
  const bounds = findHeaderEnd(data, start);
  if (!bounds) return fail(400, 'Missing empty line after headers', isRequest, []);
  const split = splitLines(data.toString('utf8', start, bounds.end));
  if (typeof split === 'string') return fail(400, split, isRequest, []);
  const { startLine, fields } = split;

  // Start line: RFC 3261 §7.1 Request-Line = Method SP Request-URI SP SIP-Version CRLF,
  // §7.2 Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF. Single SPs only
  // (RFC 4475 §3.1.2.9, §3.1.2.10 are rejected).
  let method = '';
  let requestUri: Uri | undefined;
  let version: string;
  let status = 0;
  let reason = '';
  if (isRequest) {
    const m = START_REQUEST.exec(startLine);
    if (!m) {
      const parts = startLine.split(' ');
      const last = parts[parts.length - 1] ?? '';
      // RFC 3261 §7.1: exactly one SP between elements and none at the end
      if (VERSION.test(last) || parts.length > 3)
        return fail(400, 'Bad Request-Line: extra whitespace', true, fields);
      return fail(400, 'Bad Request-Line', true, fields);
    }
    method = m[1] ?? '';
    version = (m[3] ?? '').toUpperCase();
    if (!isToken(method)) return fail(400, 'Bad Request-Line: method is not a token', true, fields);
    // RFC 3261 §8.2.2 (in spirit) and RFC 4475 §3.1.2.16: other versions get 505
    if (version !== 'SIP/2.0') return fail(505, 'Version Not Supported', true, fields);
    requestUri = parseUri(m[2] ?? '');
    if (!requestUri) return fail(400, 'Bad Request-URI', true, fields);
    // RFC 3261 §19.1.1 table: URI headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11)
    if ('headers' in requestUri && Object.keys(requestUri.headers).length > 0) {
      return fail(400, 'Bad Request-URI: headers not allowed', true, fields);
    }
  } else {
    const m = START_RESPONSE.exec(startLine);
    if (!m) return fail(400, 'Bad Status-Line', false, fields);
    version = `SIP/${m[1] ?? ''}`;
    if (version !== 'SIP/2.0') return fail(505, 'Version Not Supported', false, fields);
    const code = m[2] ?? '';
    // RFC 3261 §7.2 / §21: Status-Code is 3DIGIT, 100-699 (RFC 4475 §3.1.2.19 bigcode)
    if (code.length !== 3 || Number(code) < 100 || Number(code) > 699) {
      return fail(400, 'Bad Status-Line: status code out of range', false, fields);
    }
    status = Number(code);
    reason = m[3] ?? '';
  }

  const via: Via[] = [];
  let from: NameAddr | undefined;
  let to: NameAddr | undefined;
  let callId: string | undefined;
  let cseq: CSeq | undefined;
  let maxForwards: number | undefined;
  const contact: NameAddr[] = [];
  let contactWildcard = false;
  const route: NameAddr[] = [];
  const recordRoute: NameAddr[] = [];
  const headers: HeaderField[] = [];
  let contentLength: number | undefined;
  let maxForwardsSeen = false;

  for (const field of fields) {
    const name = canonicalName(field.name);
    const value = field.value;
    switch (name) {
      case 'via': {
        const list = parseViaList(value);
        if (!list) return fail(400, 'Bad Via', isRequest, fields);
        for (const v of list) via.push(v);
        break;
      }
      case 'from':
      case 'to': {
        // RFC 4475 §3.3.8: several values in a single-value header is a 400
        if ((name === 'from' ? from : to) !== undefined)
          return fail(400, `Multiple ${name === 'from' ? 'From' : 'To'} values`, isRequest, fields);
        const na = parseNameAddr(value);
        if (!na) return fail(400, `Bad ${name === 'from' ? 'From' : 'To'}`, isRequest, fields);
        if (name === 'from') from = na;
        else to = na;
        break;
      }
      case 'call-id':
        if (callId !== undefined) return fail(400, 'Multiple Call-ID values', isRequest, fields);
        // RFC 3261 §25.1: callid = word [ "@" word ]; no whitespace
        if (value.length === 0 || /[\s]/.test(value))
          return fail(400, 'Bad Call-ID', isRequest, fields);
        callId = value;
        break;
      case 'cseq': {
        if (cseq !== undefined) return fail(400, 'Multiple CSeq values', isRequest, fields);
        const m = CSEQ.exec(value);
        if (!m || !isToken(m[2] ?? '')) return fail(400, 'Bad CSeq', isRequest, fields);
        const digits = m[1] ?? '';
        const seq = Number(digits);
        if (digits.length > 10 || seq > MAX_CSEQ)
          return fail(400, 'Bad CSeq: sequence number out of range', isRequest, fields);
        cseq = { seq, method: m[2] ?? '' };
        break;
      }
      case 'max-forwards': {
        if (maxForwardsSeen) return fail(400, 'Multiple Max-Forwards values', isRequest, fields);
        maxForwardsSeen = true;
        // RFC 3261 §20.22: 1*DIGIT, 0-255 (RFC 4475 §3.1.2.4)
        if (!/^\d{1,10}$/.test(value) || Number(value) > 255)
          return fail(400, 'Bad Max-Forwards', isRequest, fields);
        maxForwards = Number(value);
        break;
      }
      case 'contact': {
        if (value === '*') {
          // RFC 3261 §10.2.2: `*` stands alone
          if (contactWildcard || contact.length > 0)
            return fail(400, 'Bad Contact: * with other values', isRequest, fields);
          contactWildcard = true;
          break;
        }
        if (contactWildcard)
          return fail(400, 'Bad Contact: * with other values', isRequest, fields);
        const list = parseNameAddrList(value);
        if (!list) return fail(400, 'Bad Contact', isRequest, fields);
        for (const c of list) contact.push(c);
        break;
      }
      case 'route':
      case 'record-route': {
        const list = parseNameAddrList(value);
        if (!list)
          return fail(400, name === 'route' ? 'Bad Route' : 'Bad Record-Route', isRequest, fields);
        for (const r of list) (name === 'route' ? route : recordRoute).push(r);
        break;
      }
      case 'content-length':
        // RFC 4475 §3.3.9 (mcl01): two Content-Length values leave the body undefined
        if (contentLength !== undefined)
          return fail(400, 'Multiple Content-Length values', isRequest, fields);
        // RFC 4475 §3.1.2.3 (ncl): digits only
        if (!/^\d{1,10}$/.test(value)) return fail(400, 'Bad Content-Length', isRequest, fields);
        contentLength = Number(value);
        break;
      default:
        headers.push(field);
    }
  }

  // RFC 3261 §8.1.1: the mandatory headers.
  if (to === undefined) return fail(400, 'Missing To', isRequest, fields);
  if (from === undefined) return fail(400, 'Missing From', isRequest, fields);
  if (callId === undefined) return fail(400, 'Missing Call-ID', isRequest, fields);
  if (cseq === undefined) return fail(400, 'Missing CSeq', isRequest, fields);
  if (via.length === 0) return fail(400, 'Missing Via', isRequest, fields);
  // DEVIATION (RFC 3261 §8.1.1.6): a request without Max-Forwards is accepted, as RFC 2543
  // allowed (RFC 4475 §3.4.1 inv2543 must be processed); `maxForwards` is then undefined.
  if (isRequest && cseq.method !== method) {
    // RFC 4475 §3.1.2.17 / §3.1.2.18: a CSeq method differing from the Request-Line is a 400
    return fail(400, 'Bad CSeq: method mismatch', true, fields);
  }

  // RFC 3261 §18.3: Content-Length cuts a datagram's trailing octets; a shorter body is an error.
  const available = data.length - bounds.bodyStart;
  let body: Buffer;
  if (contentLength === undefined) body = Buffer.from(data.subarray(bounds.bodyStart));
  else if (contentLength > available)
    return fail(400, 'Bad Content-Length: larger than the body', isRequest, fields);
  else body = Buffer.from(data.subarray(bounds.bodyStart, bounds.bodyStart + contentLength));

  // One object literal per kind: no intermediate `common` object to spread.
  const message: SipMessage =
    isRequest && requestUri
      ? {
          kind: 'request',
          method,
          uri: requestUri,
          version,
          via,
          from,
          to,
          callId,
          cseq,
          contact,
          contactWildcard,
          route,
          recordRoute,
          headers,
          body,
        }
      : {
          kind: 'response',
          status,
          reason,
          version,
          via,
          from,
          to,
          callId,
          cseq,
          contact,
          contactWildcard,
          route,
          recordRoute,
          headers,
          body,
        };
  if (maxForwards !== undefined) message.maxForwards = maxForwards;
  return { ok: true, message };
}
