// A dialog (RFC 3261 §12): the peer-to-peer state two user agents share for a call or
// subscription. Pure state: it builds and checks messages, the transaction layer sends them.
import type {
  HeaderField,
  NameAddr,
  SipRequest,
  SipResponse,
  SipUri,
  Uri,
} from '../message/types.ts';

export type DialogState = 'early' | 'confirmed' | 'terminated';
export type DialogRole = 'uac' | 'uas';

export interface DialogId {
  /** Compared byte by byte (RFC 3261 §8.1.1.4). */
  callId: string;
  localTag: string;
  /** Empty when an RFC 2543 peer sent no tag (RFC 3261 §12.1.2). */
  remoteTag: string;
}

/** The table key of a dialog id. Tags are tokens, so compared without case (RFC 3261 §7.3.1). */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag.toLowerCase()}\n${id.remoteTag.toLowerCase()}`;
}

export interface DialogCreateOptions {
  /** The dialog-creating request came (UAS) or went (UAC) over TLS; with a SIPS Request-URI
   * the dialog is secure (RFC 3261 §12.1.1, §12.1.2). */
  tls?: boolean;
}

export type DialogCreateResult = { ok: true; dialog: Dialog } | { ok: false; reason: string };

export interface InDialogRequestOptions {
  body?: Buffer;
  /** Extra header fields (Content-Type, Authorization …), written after the typed ones. */
  headers?: HeaderField[];
  /** Our Contact for this request; defaults to the dialog's local contact on target refreshes. */
  contact?: NameAddr;
  /** CSeq number for ACK/CANCEL when it is not the last INVITE sent. */
  cseq?: number;
}

export type IncomingRequestResult =
  | { ok: true; targetRefreshed: boolean }
  /** The response the UAS must send (RFC 3261 §12.2.2). */
  | { ok: false; status: number; reason: string };

interface DialogFields {
  role: DialogRole;
  id: DialogId;
  state: DialogState;
  local: NameAddr;
  remote: NameAddr;
  remoteTarget: Uri;
  routeSet: NameAddr[];
  secure: boolean;
  localSeq?: number;
  remoteSeq?: number;
  localContact?: NameAddr;
  /** CSeq of the INVITE that created a UAC dialog: its responses may still reshape it. */
  initialInviteSeq?: number;
}

/** Requests whose Contact replaces the remote target (RFC 3261 §12.2, RFC 3311 §5.2 UPDATE). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE']);

/** Initial local CSeq for a UAS dialog; any value below 2^31 will do (RFC 3261 §8.1.1.5). */
const INITIAL_LOCAL_SEQ = 1;

export class Dialog {
  readonly role: DialogRole;
  readonly id: DialogId;
  readonly secure: boolean;
  /** Our URI (and display name) as written in From (UAC) or To (UAS). */
  readonly local: NameAddr;
  readonly remote: NameAddr;
  #state: DialogState;
  #remoteTarget: Uri;
  #routeSet: NameAddr[];
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  #localContact: NameAddr | undefined;
  #initialInviteSeq: number | undefined;
  /** CSeq of the last INVITE we sent, for its ACK and CANCEL (RFC 3261 §13.2.2.4, §9.1). */
  #lastInviteSeq: number | undefined;

  private constructor(f: DialogFields) {
    this.role = f.role;
    this.id = f.id;
    this.#state = f.state;
    this.local = f.local;
    this.remote = f.remote;
    this.#remoteTarget = f.remoteTarget;
    this.#routeSet = f.routeSet;
    this.secure = f.secure;
    this.#localSeq = f.localSeq;
    this.#remoteSeq = f.remoteSeq;
    this.#localContact = f.localContact;
    this.#initialInviteSeq = f.initialInviteSeq;
    this.#lastInviteSeq = f.initialInviteSeq;
  }

  /** RFC 3261 §12.1.1: the UAS side, from the request and the 101–299 response it sends. */
  static fromUasResponse(
    request: SipRequest,
    response: SipResponse,
    options: DialogCreateOptions = {},
  ): DialogCreateResult {
    if (response.status <= 100 || response.status >= 300)
      return { ok: false, reason: `status ${response.status} creates no dialog` };
    const localTag = tagOf(response.to);
    if (!localTag) return { ok: false, reason: 'response has no To tag' };
    const remoteTag = tagOf(request.from);
    // DEVIATION (RFC 3261 §12.1.1): an RFC 2543 peer may omit the From tag; its dialog gets an empty one.
    const contact = request.contact[0];
    if (!contact) return { ok: false, reason: 'request has no Contact' };
    return {
      ok: true,
      dialog: new Dialog({
        role: 'uas',
        id: { callId: request.callId, localTag, remoteTag: remoteTag ?? '' },
        state: response.status < 200 ? 'early' : 'confirmed',
        // "The route set MUST be set to the list of URIs in the Record-Route header field from
        // the request, taken in order and preserving all URI parameters."
        routeSet: [...request.recordRoute],
        remoteTarget: contact.uri,
        // "The remote sequence number MUST be set to the value of the sequence number in the
        // CSeq header field of the request. The local sequence number MUST be empty."
        remoteSeq: request.cseq.seq,
        local: withoutTag(request.to),
        remote: withoutTag(request.from),
        secure: options.tls === true && request.uri.scheme === 'sips',
        ...(response.contact[0] ? { localContact: response.contact[0] } : {}),
      }),
    };
  }

  /** RFC 3261 §12.1.2: the UAC side, from the request it sent and a 101–299 response. */
  static fromUacResponse(
    request: SipRequest,
    response: SipResponse,
    options: DialogCreateOptions = {},
  ): DialogCreateResult {
    if (response.status <= 100 || response.status >= 300)
      return { ok: false, reason: `status ${response.status} creates no dialog` };
    const localTag = tagOf(request.from);
    if (!localTag) return { ok: false, reason: 'request has no From tag' };
    // RFC 3261 §13.2.2.1: only a provisional response with a To tag opens an early dialog.
    if (response.status < 200 && !tagOf(response.to))
      return { ok: false, reason: 'provisional response has no To tag' };
    const contact = response.contact[0];
    // DEVIATION (RFC 3261 §12.1.2): a provisional response without Contact (seen from some
    // gateways) still opens an early dialog aimed at the Request-URI; the 2xx sets the target.
    if (!contact && response.status >= 200) return { ok: false, reason: 'response has no Contact' };
    return {
      ok: true,
      dialog: new Dialog({
        role: 'uac',
        // "A UAC MUST be prepared to receive a response without a tag in the To field, in which
        // case the tag is considered to have a value of null."
        id: { callId: request.callId, localTag, remoteTag: tagOf(response.to) ?? '' },
        state: response.status < 200 ? 'early' : 'confirmed',
        // "The route set MUST be set to the list of URIs in the Record-Route header field from
        // the response, taken in reverse order and preserving all URI parameters."
        routeSet: [...response.recordRoute].reverse(),
        remoteTarget: contact ? contact.uri : request.uri,
        localSeq: request.cseq.seq,
        local: withoutTag(request.from),
        remote: withoutTag(request.to),
        secure: options.tls === true && request.uri.scheme === 'sips',
        ...(request.contact[0] ? { localContact: request.contact[0] } : {}),
        ...(request.method === 'INVITE' ? { initialInviteSeq: request.cseq.seq } : {}),
      }),
    };
  }

  get state(): DialogState {
    return this.#state;
  }
  get remoteTarget(): Uri {
    return this.#remoteTarget;
  }
  get routeSet(): readonly NameAddr[] {
    return this.#routeSet;
  }
  get localSeq(): number | undefined {
    return this.#localSeq;
  }
  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }
  get localContact(): NameAddr | undefined {
    return this.#localContact;
  }

  /** RFC 3261 §12.2.1.1: a request within the dialog. Via is left empty for the transaction
   * layer; send it to the first Route when that route is loose, else to the Request-URI. */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    let seq: number;
    if (method === 'ACK' || method === 'CANCEL') {
      // RFC 3261 §13.2.2.4 (ACK for 2xx) and §9.1 (CANCEL): the INVITE's sequence number.
      seq = options.cseq ?? this.#lastInviteSeq ?? this.#localSeq ?? INITIAL_LOCAL_SEQ;
    } else {
      // "Requests within a dialog MUST contain strictly monotonically increasing and contiguous
      // CSeq sequence numbers (increasing-by-one) in each direction."
      seq = this.#localSeq === undefined ? INITIAL_LOCAL_SEQ : this.#localSeq + 1;
      this.#localSeq = seq;
      if (method === 'INVITE') this.#lastInviteSeq = seq;
    }

    const { requestUri, route } = this.#routing();
    const contact =
      options.contact ?? (TARGET_REFRESH.has(method) ? this.#localContact : undefined);
    return {
      kind: 'request',
      method,
      uri: requestUri,
      version: 'SIP/2.0',
      via: [],
      from: withTag(this.local, this.id.localTag),
      to: withTag(this.remote, this.id.remoteTag),
      callId: this.id.callId,
      cseq: { seq, method },
      maxForwards: 70,
      contact: contact ? [contact] : [],
      contactWildcard: false,
      route,
      recordRoute: [],
      headers: options.headers ?? [],
      body: options.body ?? Buffer.alloc(0),
    };
  }

  /** RFC 3261 §12.2.2: checks and applies a request that matched this dialog. */
  receiveRequest(request: SipRequest): IncomingRequestResult {
    const { seq } = request.cseq;
    // ACK and CANCEL reuse the INVITE's CSeq and get no response, so they neither move nor
    // trip the remote sequence number.
    if (request.method !== 'ACK' && request.method !== 'CANCEL') {
      // "If the remote sequence number is not empty, but the sequence number of the request is
      // lower than the remote sequence number, the request is out of order and MUST be
      // rejected with a 500 (Server Internal Error) response."
      if (this.#remoteSeq !== undefined && seq < this.#remoteSeq) {
        return { ok: false, status: 500, reason: 'CSeq Out of Order' };
      }
      this.#remoteSeq = seq;
    }
    let targetRefreshed = false;
    const contact = request.contact[0];
    // "When a UAS receives a target refresh request, it MUST replace the dialog's remote target
    // URI with the URI from the Contact header field in that request, if present."
    if (TARGET_REFRESH.has(request.method) && contact) {
      this.#remoteTarget = contact.uri;
      targetRefreshed = true;
    }
    // RFC 3261 §15.1.2: a BYE ends the dialog (the 200 still goes out on its transaction).
    if (request.method === 'BYE') this.#state = 'terminated';
    return { ok: true, targetRefreshed };
  }

  /** UAC side: a response to a request of this dialog, or to the INVITE that created it. */
  receiveResponse(request: SipRequest, response: SipResponse): void {
    const { status } = response;
    const initial = request.method === 'INVITE' && request.cseq.seq === this.#initialInviteSeq;
    if (initial && this.#state === 'early') {
      if (status >= 200 && status < 300) {
        // RFC 3261 §13.2.2.4: the 2xx confirms the dialog and its route set is recomputed.
        this.#state = 'confirmed';
        this.#routeSet = [...response.recordRoute].reverse();
      } else if (status >= 300) {
        // RFC 3261 §12.3: a non-2xx final response ends the early dialog.
        this.#state = 'terminated';
        return;
      }
      const contact = response.contact[0];
      if (contact && status > 100) this.#remoteTarget = contact.uri;
      return;
    }
    // RFC 3261 §12.2.1.2: "If the response for a request within a dialog is a 481 or a 408,
    // the UAC SHOULD terminate the dialog."
    if (status === 481 || status === 408) {
      this.#state = 'terminated';
      return;
    }
    // "When a UAC receives a 2xx response to a target refresh request, it MUST replace the
    // dialog's remote target URI with the URI from the Contact header field in that response."
    const contact = response.contact[0];
    if (status >= 200 && status < 300 && TARGET_REFRESH.has(request.method) && contact)
      this.#remoteTarget = contact.uri;
  }

  /** UAS side: the final response we sent to the INVITE that created the dialog. */
  sentResponse(response: SipResponse): void {
    if (this.#state !== 'early') return;
    if (response.status >= 200 && response.status < 300) this.#state = 'confirmed';
    else if (response.status >= 300) this.#state = 'terminated';
  }

  terminate(): void {
    this.#state = 'terminated';
  }

  #routing(): { requestUri: Uri; route: NameAddr[] } {
    const [first, ...rest] = this.#routeSet;
    if (!first) return { requestUri: this.#remoteTarget, route: [] };
    // "If the route set is not empty, and the first URI in the route set contains the lr
    // parameter, the UAC MUST place the remote target URI into the Request-URI and MUST
    // include a Route header field containing the route set values in order."
    if (isLooseRoute(first.uri))
      return { requestUri: this.#remoteTarget, route: [...this.#routeSet] };
    // Strict routing: "the UAC MUST place the first URI from the route set into the
    // Request-URI, stripping any parameters that are not allowed in a Request-URI. The UAC
    // MUST add a Route header field containing the remainder of the route set values in
    // order ... then place the remote target URI into the Route header field as the last value."
    return {
      requestUri: asRequestUri(first.uri),
      route: [...rest, { uri: this.#remoteTarget, params: {} }],
    };
  }
}

function isLooseRoute(uri: Uri): boolean {
  return 'host' in uri && 'lr' in uri.params;
}

/** RFC 3261 §19.1.1 table: `method` and URI headers are not allowed in a Request-URI. */
function asRequestUri(uri: Uri): Uri {
  if (!('host' in uri)) return uri;
  const { method: _method, ...params } = uri.params;
  const clean: SipUri = { ...uri, params, headers: {} };
  return clean;
}

function tagOf(addr: NameAddr): string | undefined {
  const tag = addr.params.tag;
  return tag === undefined || tag === null || tag === '' ? undefined : tag;
}

function withoutTag(addr: NameAddr): NameAddr {
  const { tag: _tag, ...params } = addr.params;
  return { ...addr, params };
}

function withTag(addr: NameAddr, tag: string): NameAddr {
  return { ...addr, params: tag ? { ...addr.params, tag } : { ...addr.params } };
}
