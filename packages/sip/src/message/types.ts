// The typed SIP message (RFC 3261 §7). The headers every layer of the stack reads
// (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route) are
// parsed once into typed fields and are the source of truth for serialisation;
// every other header stays raw in `headers`, in arrival order, and is parsed on
// demand by the helpers in this folder. Content-Length is computed from `body`
// when a message is serialised.

/** Parameter names are lower-cased; a value-less parameter (`;lr`) is null. Values are raw
 * (a quoted-string keeps its quotes) so that serialisation gives back what arrived. */
export type Params = Record<string, string | null>;

export interface SipUri {
  scheme: 'sip' | 'sips';
  /** As written, still %-escaped; compare with `uriEquals` (RFC 3261 §19.1.4). */
  user?: string;
  password?: string;
  /** Host name (case kept), IPv4 address, or IPv6 reference with its brackets. */
  host: string;
  port?: number;
  params: Params;
  /** `?name=value` URI headers, still escaped. */
  headers: Record<string, string>;
}

export interface TelUri {
  scheme: 'tel';
  /** The number as written, e.g. `+81-3-1234-5678` or `0312345678` (RFC 3966). */
  number: string;
  params: Params;
}

/** Any other absolute URI (`urn:`, `mailto:`, `http:` …) kept as text after the colon. */
export interface OtherUri {
  scheme: string;
  value: string;
}

export type Uri = SipUri | TelUri | OtherUri;

/** name-addr or addr-spec plus header parameters (From, To, Contact, Route, Path …). */
export interface NameAddr {
  /** Unquoted and unescaped display name, if any. */
  displayName?: string;
  uri: Uri;
  params: Params;
}

export interface Via {
  /** `SIP/2.0` normally; kept to answer other versions correctly. */
  protocol: string;
  /** Upper-case: UDP, TCP, TLS, WS, WSS, SCTP … */
  transport: string;
  host: string;
  port?: number;
  /** branch, received, rport (null when present without value), maddr, ttl … */
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
  /** Set only on a stateless error response that echoes an out-of-range sequence number
   * (RFC 4475 §3.1.2.4); serialisers write it instead of `seq`. */
  rawSeq?: string;
}

/** One header field line, name as received (or as set), value without the name. */
export interface HeaderField {
  name: string;
  value: string;
}

interface MessageCommon {
  version: string;
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  maxForwards?: number;
  contact: NameAddr[];
  /** `Contact: *` (RFC 3261 §10.2.2); `contact` is then empty. */
  contactWildcard: boolean;
  route: NameAddr[];
  recordRoute: NameAddr[];
  /** Every header not represented by a typed field above, in arrival order. */
  headers: HeaderField[];
  body: Buffer;
}

export interface SipRequest extends MessageCommon {
  kind: 'request';
  method: string;
  uri: Uri;
}

export interface SipResponse extends MessageCommon {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** What a parse failure knows, enough to answer a request that could not be parsed. */
export interface ParseError {
  /** The response a server should send for a request: 400, 505, 413, 513 … */
  status: number;
  /** Names the fault; used as the reason phrase of the error response. */
  reason: string;
  /** Whether the start line looked like a request (a response that fails is dropped). */
  isRequest: boolean;
  /** Raw header fields read before the failure, to build the error response. */
  headers: HeaderField[];
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: ParseError };
