// Building responses (RFC 3261 §8.2.6) from parsed requests and from requests that failed to parse.
import type {
  CSeq,
  HeaderField,
  NameAddr,
  ParseError,
  SipRequest,
  SipResponse,
  Via,
} from './types.ts';
import { canonicalName, getHeader } from './headers.ts';
import { type IdGenerator, randomIdGenerator } from './ids.ts';
import { parseNameAddr } from './name-addr.ts';
import { parseUri } from './uri.ts';
import { isToken } from './scan.ts';
import { parseVia, parseViaList } from './via.ts';

/** Default reason phrases (RFC 3261 §21 and extensions used by the stack). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export interface ResponseOptions {
  /** To tag to add when the request's To has none (non-100 responses); else one is generated. */
  toTag?: string;
  ids?: IdGenerator;
  /** Extra header fields (Allow, Unsupported, WWW-Authenticate …). */
  headers?: readonly HeaderField[];
  contact?: NameAddr[];
  body?: Buffer;
}

function withTag(to: NameAddr, tag: string): NameAddr {
  return { ...to, params: { ...to.params, tag } };
}

/** RFC 3261 §8.2.6.2: a response copies Via, From, Call-ID, CSeq and To (tagged unless 100). */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  opts: ResponseOptions = {},
): SipResponse {
  let to = request.to;
  // §8.2.6.2: add a To tag if absent, except on 100 (Trying)
  if (status !== 100 && to.params.tag === undefined)
    to = withTag(to, opts.toTag ?? (opts.ids ?? randomIdGenerator).tag());
  const headers: HeaderField[] = [];
  if (status === 100) {
    // §8.2.6.1: a 100 echoes the request's Timestamp
    const ts = getHeader(request, 'timestamp');
    if (ts !== undefined) headers.push({ name: 'Timestamp', value: ts });
  }
  if (opts.headers) headers.push(...opts.headers);
  return {
    kind: 'response',
    version: 'SIP/2.0',
    status,
    reason: reason ?? REASON_PHRASES[status] ?? 'Unknown',
    via: request.via.map((v) => ({ ...v, params: { ...v.params } })),
    from: request.from,
    to,
    callId: request.callId,
    cseq: { ...request.cseq },
    contact: opts.contact ?? [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers,
    body: opts.body ?? Buffer.alloc(0),
  };
}

/** For answering a broken request only: the URI inside <> (trimmed) and the tag, so that
 * RFC 4475 §3.1.2.6/14/15 (bad display names, spaces in <>) still get their 400.
 * DEVIATION (RFC 3261 §8.2.6.2): the display name is not copied when it is malformed. */
function lenientNameAddr(raw: string): NameAddr | undefined {
  const strict = parseNameAddr(raw);
  if (strict) return strict;
  const lt = raw.lastIndexOf('<');
  const gt = raw.indexOf('>', lt);
  if (lt < 0 || gt < 0) return undefined;
  const uri = parseUri(raw.slice(lt + 1, gt).trim());
  if (!uri) return undefined;
  const tag = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(raw.slice(gt + 1))?.[1];
  return { uri, params: tag !== undefined ? { tag } : {} };
}

/** DEVIATION (RFC 3261 §8.2.6.2): a Via with broken parameters (RFC 4475 §3.1.2.1) is
 * echoed as its sent-protocol and sent-by only, so that the 400 can still be routed back. */
function lenientViaList(raw: string): Via[] | undefined {
  const out: Via[] = [];
  for (const part of raw.split(',')) {
    const head = part.split(';')[0] ?? '';
    if (head.trim().length === 0) continue;
    const via = parseVia(part) ?? parseVia(head);
    if (!via) return undefined;
    out.push(via);
  }
  return out.length > 0 ? out : undefined;
}

function rawValues(headers: HeaderField[], name: string): string[] {
  return headers.filter((h) => canonicalName(h.name) === name).map((h) => h.value);
}

/** The last resort for a request too broken for `createResponseToUnparsed` (RFC 4475
 * §3.3.1 insuf, §3.3.8 multi01): the error status line with the Via, From, To, Call-ID and
 * CSeq lines copied as they arrived (RFC 3261 §8.2.6.2), however many or few there were,
 * for the transport to send back to where the request came from. Undefined when the
 * failure was a response or there is no Via at all. */
export function formatRawErrorResponse(
  error: ParseError,
  status = error.status,
  reason = error.reason,
): Buffer | undefined {
  if (!error.isRequest) return undefined;
  const lines: string[] = [];
  for (const h of error.headers) {
    const name = copiedNames[canonicalName(h.name)];
    if (name && !/[\r\n]/.test(h.value)) lines.push(`${name}: ${h.value}`);
  }
  if (!lines.some((l) => l.startsWith('Via:'))) return undefined;
  const phrase = reason.replace(/[\r\n]/g, ' ');
  return Buffer.from(
    [`SIP/2.0 ${status} ${phrase}`, ...lines, 'Content-Length: 0', '', ''].join('\r\n'),
  );
}

const copiedNames: Readonly<Record<string, string>> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
};

/** Builds a response (normally 400) to a request that failed to parse, from its raw headers,
 * so it can be answered statelessly (RFC 3261 §8.2.6, §16.3 / RFC 4475 §3.1.2). Returns
 * undefined when the failure was a response, or Via / From / To / Call-ID / CSeq are unusable. */
export function createResponseToUnparsed(
  error: ParseError,
  status = error.status,
  reason = error.reason,
  opts: ResponseOptions = {},
): SipResponse | undefined {
  if (!error.isRequest) return undefined;
  const via = [];
  for (const v of rawValues(error.headers, 'via')) {
    const list = parseViaList(v) ?? lenientViaList(v);
    if (!list) return undefined;
    via.push(...list);
  }
  if (via.length === 0) return undefined;
  const callIds = rawValues(error.headers, 'call-id');
  const callId = callIds[0];
  if (callIds.length !== 1 || callId === undefined || callId.length === 0 || /\s/.test(callId))
    return undefined;
  const froms = rawValues(error.headers, 'from');
  const tos = rawValues(error.headers, 'to');
  if (froms.length !== 1 || tos.length !== 1) return undefined;
  const from = lenientNameAddr(froms[0] ?? '');
  let to = lenientNameAddr(tos[0] ?? '');
  if (!from || !to) return undefined;
  const cseqs = rawValues(error.headers, 'cseq');
  if (cseqs.length !== 1) return undefined;
  const m = /^(\d+)\s+(\S+)$/.exec(cseqs[0] ?? '');
  if (!m || !isToken(m[2] ?? '')) return undefined;
  const digits = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  const cseq: CSeq = { seq: Number(digits), method: m[2] ?? '' };
  // §8.2.6.2 says CSeq is copied: an out-of-range number (RFC 4475 §3.1.2.4) is echoed as text
  if (!Number.isSafeInteger(cseq.seq) || cseq.seq > 2 ** 31 - 1) cseq.rawSeq = digits;
  if (status !== 100 && to.params.tag === undefined)
    to = withTag(to, opts.toTag ?? (opts.ids ?? randomIdGenerator).tag());
  return {
    kind: 'response',
    version: 'SIP/2.0',
    status,
    reason,
    via,
    from,
    to,
    callId,
    cseq,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers: opts.headers ? [...opts.headers] : [],
    body: opts.body ?? Buffer.alloc(0),
  };
}
