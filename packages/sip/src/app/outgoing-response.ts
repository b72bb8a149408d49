// The response side of a handler: `send` builds each response from the request
// (RFC 3261 §8.2.6) and hands it to the server transaction; provisional ones first, then
// exactly one final one.
import type { HeaderField, NameAddr, SipRequest, SipResponse } from '../message/types.ts';
import { buildResponse, isTypedHeader } from './build-response.ts';
import { canonicalName } from './header-access.ts';
import { reasonPhrase, type HeaderInit } from './sip-error.ts';

export interface SendOptions {
  /** Extra header fields; the typed ones (Via, From, To, Contact …) are not allowed here. */
  headers?: HeaderInit;
  /** Contact values (a registrar's bindings, RFC 3261 §10.3 step 8). */
  contact?: readonly NameAddr[];
  body?: string | Buffer;
}

export type ResponseSender = (response: SipResponse) => Promise<void>;

export interface OutgoingSendOptions {
  send: ResponseSender;
  toTag: string;
  /** Added to every response unless the caller sets the same header (Server, Allow …). */
  defaultHeaders?: readonly HeaderField[];
}

/** Shared by every response without a body: a zero-length Buffer cannot be changed. */
const emptyBody = Buffer.alloc(0);

export class OutgoingResponse {
  readonly request: SipRequest;
  readonly toTag: string;
  #send: ResponseSender;
  #defaults: readonly HeaderField[];
  #status: number | undefined;
  #final = false;

  constructor(request: SipRequest, options: OutgoingSendOptions) {
    this.request = request;
    this.toTag = options.toTag;
    this.#send = options.send;
    this.#defaults = options.defaultHeaders ?? [];
  }

  /** Whether a final response (≥ 200) has been sent. */
  get finished(): boolean {
    return this.#final;
  }

  /** The last status sent, if any. */
  get status(): number | undefined {
    return this.#status;
  }

  /** Sends a response; rejects when a final one already went out or the transport fails. */
  async send(status: number, reason?: string, options: SendOptions = {}): Promise<void> {
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`status ${status} is not a SIP status code`);
    }
    // RFC 3261 §17.1.1.3: ACK is never answered.
    if (this.request.method === 'ACK') throw new Error('ACK has no response');
    if (this.#final) throw new Error(`a final response (${this.#status}) was already sent`);
    const response = this.#build(status, reason ?? reasonPhrase(status), options);
    if (status >= 200) this.#final = true;
    this.#status = status;
    await this.#send(response);
  }

  #build(status: number, reason: string, options: SendOptions): SipResponse {
    const fields: HeaderField[] = [];
    if (options.headers) {
      for (const name of Object.keys(options.headers)) {
        // Typed fields are values, not text: Contact goes in `contact`, the rest is the stack's.
        if (isTypedHeader(name))
          throw new TypeError(`${name} cannot be set as text; see SendOptions`);
        const raw = options.headers[name];
        if (raw === undefined) continue;
        if (typeof raw === 'string') fields.push({ name, value: raw });
        else for (const value of raw) fields.push({ name, value });
      }
    }
    // Without fields of its own the response takes the defaults as they are: buildResponse
    // copies the list it is given, so no filtered or merged copy is needed here.
    let headers: readonly HeaderField[] = this.#defaults;
    if (fields.length > 0) {
      const given = new Set(fields.map((f) => canonicalName(f.name)));
      headers = [...this.#defaults.filter((f) => !given.has(canonicalName(f.name))), ...fields];
    }
    const body =
      typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? emptyBody);
    const response = buildResponse(this.request, {
      status,
      reason,
      toTag: this.toTag,
      headers,
      body,
    });
    response.contact = options.contact ? [...options.contact] : [];
    return response;
  }
}
