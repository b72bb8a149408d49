// Cuts a byte stream (TCP, TLS) into SIP messages. RFC 3261 §18.3: on a stream the
// Content-Length header is mandatory and is the only way to find where a message ends.
// RFC 5626 §3.5.1: between messages a double CRLF is a keep-alive ping and a single CRLF
// its pong; neither is a message.

export type FramerOutput =
  | { kind: 'message'; data: Buffer }
  /** A CRLFCRLF ping: the caller answers with one CRLF (RFC 5626 §4.4.1). */
  | { kind: 'ping' }
  /** The stream cannot be framed any more; `head` is the header section, if one was read. */
  | { kind: 'error'; status: number; reason: string; head?: Buffer };

export interface StreamFramerOptions {
  /** Largest header section plus body accepted, in bytes. */
  maxMessageSize: number;
}

const CRLF = 0x0d0a;
const HEADER_END = Buffer.from('\r\n\r\n');

type LengthResult = { ok: true; length: number } | { ok: false; reason: string };

/** Finds Content-Length (or its compact form `l`) in a header section. */
export function readContentLength(head: string): LengthResult {
  // Unfold continuation lines first (RFC 3261 §7.3.1) so a folded value is still found.
  const lines = head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .slice(1);
  let found: number | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(value)) return { ok: false, reason: 'Bad Content-Length' };
    const length = Number(value);
    if (found !== undefined && found !== length)
      return { ok: false, reason: 'Conflicting Content-Length' };
    found = length;
  }
  if (found === undefined) return { ok: false, reason: 'Missing Content-Length' };
  return { ok: true, length: found };
}

export class StreamFramer {
  readonly #max: number;
  #buffer: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(options: StreamFramerOptions) {
    this.#max = options.maxMessageSize;
  }

  /** Feeds a chunk; returns whatever it completes, in order. After an error, returns nothing. */
  push(chunk: Buffer): FramerOutput[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: FramerOutput[] = [];
    for (;;) {
      const next = this.#next();
      if (!next) break;
      out.push(next);
      if (next.kind === 'error') {
        this.#failed = true;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return out;
  }

  #next(): FramerOutput | undefined {
    const buf = this.#buffer;
    // Between messages: keep-alives. A lone CRLF may be the first half of a ping, so wait.
    if (buf.length >= 2 && buf.readUInt16BE(0) === CRLF) {
      if (buf.length >= 4 && buf.readUInt16BE(2) === CRLF) {
        this.#buffer = buf.subarray(4);
        return { kind: 'ping' };
      }
      if (buf.length === 2 || (buf.length === 3 && buf[2] === 0x0d)) return undefined;
      // A single CRLF followed by something else: a pong, or stray CRLF before a
      // start line (RFC 3261 §7.5 says to ignore those). Either way, skip it.
      this.#buffer = buf.subarray(2);
      return this.#next();
    }
    if (buf.length === 1 && buf[0] === 0x0d) return undefined;
    if (buf.length === 0) return undefined;

    const end = buf.indexOf(HEADER_END);
    if (end < 0) {
      if (buf.length > this.#max)
        return { kind: 'error', status: 513, reason: 'Message Too Large' };
      return undefined;
    }
    const headLength = end + HEADER_END.length;
    const head = buf.subarray(0, headLength);
    const length = readContentLength(head.toString('latin1'));
    if (!length.ok) return { kind: 'error', status: 400, reason: length.reason, head };
    if (headLength + length.length > this.#max) {
      return { kind: 'error', status: 513, reason: 'Message Too Large', head };
    }
    if (buf.length < headLength + length.length) return undefined;
    const data = buf.subarray(0, headLength + length.length);
    this.#buffer = buf.subarray(headLength + length.length);
    return { kind: 'message', data };
  }
}
