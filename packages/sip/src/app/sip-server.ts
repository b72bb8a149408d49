// createSipServer: transport layer → transaction layer → application, wired together.
// The server is the transaction user (RFC 3261 §17: "TU") for every request it receives
// and every request it sends.
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { noopLogger, type Logger } from '../core/logger.ts';
import { Dialog } from '../dialog/dialog.ts';
import { parseUri } from '../message/uri.ts';
import type { HeaderField, NameAddr, SipRequest, SipResponse, Uri, Via } from '../message/types.ts';
import { TransactionLayer, type TransactionUser } from '../transaction/transaction-layer.ts';
import type { InviteClientTransaction } from '../transaction/client-invite.ts';
import type { ClientTransactionUser } from '../transaction/client-transaction.ts';
import type { InviteServerTransaction } from '../transaction/server-invite.ts';
import type { ServerTransaction } from '../transaction/server-transaction.ts';
import { defaultTimers, type TransactionTimers } from '../transaction/timers.ts';
import { createTransportLayer } from '../transport/transport-layer.ts';
import type { TlsCredentials } from '../transport/tls-transport.ts';
import type {
  Flow,
  IncomingMessage,
  ListeningPoint,
  Target,
  TransportLayer,
  TransportProtocol,
  TransportUser,
} from '../transport/types.ts';
import { buildResponse } from './build-response.ts';
import { dispatch } from './dispatch.ts';
import { randomIdGenerator, type IdGenerator } from '../message/ids.ts';
import { IncomingRequest } from './incoming-request.ts';
import { MergedRequests } from './merged-requests.ts';
import type { Middleware } from './middleware.ts';
import { OutgoingInvite, type AckOptions, type InviteSender } from './outgoing-invite.ts';
import { OutgoingResponse } from './outgoing-response.ts';
import { Router } from './router.ts';
import type { HeaderInit } from './sip-error.ts';
import type { ValidationPolicy } from './validation.ts';

export interface ListenPoint {
  protocol: TransportProtocol;
  /** Defaults to 0.0.0.0. */
  address?: string;
  /** 0 picks a free port; `server.listeningPoints` then tells which. */
  port: number;
  advertisedHost?: string;
}

export interface SipServerOptions {
  listen: readonly ListenPoint[];
  clock?: Clock;
  logger?: Logger;
  ids?: IdGenerator;
  /** Certificate and key for TLS and WSS listening points. */
  tls?: TlsCredentials;
  /** Server header of our responses (RFC 3261 §20.35). */
  serverHeader?: string;
  /** User-Agent header of our requests (RFC 3261 §20.41). */
  userAgent?: string;
  /** Methods advertised in Allow; default: those with handlers, plus ACK and CANCEL. */
  allow?: readonly string[];
  /** Option tags we support (Supported header; Require checked against it). */
  supported?: readonly string[];
  /** Body types understood per method (RFC 3261 §8.2.3); default SDP for INVITE/UPDATE/PRACK. */
  accept?: Readonly<Record<string, readonly string[]>>;
  timers?: Partial<TransactionTimers>;
  /** Milliseconds without traffic before a stream connection is closed; 0 never. */
  idleTimeoutMs?: number;
  /** Builds the transport instead of binding sockets (tests: a LoopNetwork endpoint). */
  transport?: (user: TransportUser) => TransportLayer | Promise<TransportLayer>;
}

export interface RequestOptions {
  method: string;
  uri: Uri | string;
  /** Default: `<uri>` of the request. */
  to?: NameAddr;
  /** Default: `<sip:ipvoice@our-host>` with a fresh tag. */
  from?: NameAddr;
  callId?: string;
  cseq?: number;
  headers?: HeaderInit;
  body?: string | Buffer;
  /** Told about each provisional (1xx) response. */
  onProvisional?: (response: SipResponse) => void;
}

export interface InviteOptions extends Omit<RequestOptions, 'method' | 'onProvisional'> {
  /** Our Contact (RFC 3261 §8.1.1.8); default `localContact(target.protocol)`. */
  contact?: NameAddr;
  maxForwards?: number;
}

export interface InDialogOptions {
  headers?: HeaderInit;
  body?: string | Buffer;
  onProvisional?: (response: SipResponse) => void;
}

export type ConnectionClosedListener = (connectionId: string, flow: Flow) => void;

export interface SipServer {
  use(method: string, ...middleware: Middleware[]): void;
  use(...middleware: Middleware[]): void;
  on(method: string, ...handlers: Middleware[]): void;
  register(...handlers: Middleware[]): void;
  options(...handlers: Middleware[]): void;
  invite(...handlers: Middleware[]): void;
  bye(...handlers: Middleware[]): void;
  subscribe(...handlers: Middleware[]): void;
  message(...handlers: Middleware[]): void;
  /** Sends a request and resolves with its final response; a timeout or transport error
   * resolves as a local 408 or 503 (RFC 3261 §8.1.3.1). */
  request(target: Target, options: RequestOptions): Promise<SipResponse>;
  /** Sends an INVITE as a UAC: responses, dialog, ACK for the 2xx, CANCEL (RFC 3261 §13.2). */
  sendInvite(target: Target, options: InviteOptions): OutgoingInvite;
  /** Sends a request within `dialog` (RFC 3261 §12.2.1.1) to `target` and resolves with the
   * final response. For a re-INVITE, acknowledge a 2xx with `sendAck`. */
  requestInDialog(
    dialog: Dialog,
    target: Target,
    method: string,
    options?: InDialogOptions,
  ): Promise<SipResponse>;
  /** RFC 3261 §13.2.2.4: the ACK for a 2xx, straight to the transport; resent if the 2xx is. */
  sendAck(dialog: Dialog, target: Target, options: AckOptions): void;
  /** `<sip:user@our-host:port;transport=…>` for a listening point of `protocol`. */
  localContact(protocol: TransportProtocol, user?: string): NameAddr;
  onConnectionClosed(listener: ConnectionClosedListener): void;
  listen(): Promise<void>;
  close(): Promise<void>;
  /** Where we listen, once `listen` resolved (ports chosen by the system included). */
  readonly listeningPoints: readonly ListeningPoint[];
}

const defaultAccept: Record<string, readonly string[]> = {
  INVITE: ['application/sdp', 'multipart/mixed', 'multipart/alternative'],
  UPDATE: ['application/sdp'],
  PRACK: ['application/sdp'],
};

export function createSipServer(options: SipServerOptions): SipServer {
  return new Server(options);
}

interface Pending {
  req: IncomingRequest;
  res: OutgoingResponse;
}

class Server implements SipServer {
  readonly #options: SipServerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** T1/T2 as configured, for the 2xx retransmissions the app layer owns (§13.3.1.4). */
  readonly #timers: TransactionTimers;
  readonly #ids: IdGenerator;
  readonly #router = new Router();
  readonly #merged: MergedRequests;
  readonly #pending = new WeakMap<ServerTransaction, Pending>();
  readonly #closedListeners: ConnectionClosedListener[] = [];
  /** 2xx responses to INVITEs we retransmit until their ACK (RFC 3261 §13.3.1.4). */
  readonly #awaitingAck = new Map<string, () => void>();
  /** The last ACK sent per dialog, resent when its 2xx is retransmitted (§13.2.2.4). */
  readonly #acks = new WeakMap<Dialog, { seq: number; ack: SipRequest; target: Target }>();
  readonly #policy: ValidationPolicy;
  /** The policy as #serve hands it to validation, with the §8.2.2.2 verdict it judged. */
  readonly #policyMerged: ValidationPolicy;
  readonly #policyNotMerged: ValidationPolicy;
  /** Default headers of every response but OPTIONS ones, built once. */
  readonly #serverHeaders: readonly HeaderField[];
  #transport: TransportLayer | undefined;
  #transactions: TransactionLayer | undefined;

  constructor(options: SipServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = { ...defaultTimers, ...options.timers };
    this.#logger = options.logger ?? noopLogger;
    this.#ids = options.ids ?? randomIdGenerator;
    this.#merged = new MergedRequests(this.#clock);
    const router = this.#router;
    const allow = options.allow;
    this.#policy = {
      get allow() {
        return allow ?? allowedMethods(router.methods);
      },
      supported: options.supported ?? [],
      accept: options.accept ?? defaultAccept,
      isMerged: (request) => this.#merged.isMerged(request),
    };
    this.#policyMerged = withMergeVerdict(this.#policy, true);
    this.#policyNotMerged = withMergeVerdict(this.#policy, false);
    this.#serverHeaders = options.serverHeader
      ? [{ name: 'Server', value: options.serverHeader }]
      : [];
  }

  get listeningPoints(): readonly ListeningPoint[] {
    return this.#transport?.listeningPoints ?? [];
  }

  use(...args: [string | Middleware, ...Middleware[]]): void {
    const [first, ...rest] = args;
    if (typeof first === 'string') this.#router.use(first, rest);
    else this.#router.use(undefined, [first, ...rest]);
  }

  on(method: string, ...handlers: Middleware[]): void {
    this.#router.handle(method, handlers);
  }

  register(...handlers: Middleware[]): void {
    this.on('REGISTER', ...handlers);
  }

  options(...handlers: Middleware[]): void {
    this.on('OPTIONS', ...handlers);
  }

  invite(...handlers: Middleware[]): void {
    this.on('INVITE', ...handlers);
  }

  bye(...handlers: Middleware[]): void {
    this.on('BYE', ...handlers);
  }

  subscribe(...handlers: Middleware[]): void {
    this.on('SUBSCRIBE', ...handlers);
  }

  message(...handlers: Middleware[]): void {
    this.on('MESSAGE', ...handlers);
  }

  onConnectionClosed(listener: ConnectionClosedListener): void {
    this.#closedListeners.push(listener);
  }

  async listen(): Promise<void> {
    if (this.#transport) throw new Error('already listening');
    const transportUser: TransportUser = {
      onRequest: (incoming) => this.#transactions?.receiveRequest(incoming),
      onResponse: (incoming) => this.#transactions?.receiveResponse(incoming),
      onConnectionClosed: (connectionId, flow) => {
        for (const listener of this.#closedListeners) {
          try {
            listener(connectionId, flow);
          } catch (error) {
            this.#logger.error({ err: error, connectionId }, 'connection-closed listener failed');
          }
        }
      },
    };
    const o = this.#options;
    this.#transport = o.transport
      ? await o.transport(transportUser)
      : await createTransportLayer({
          listen: o.listen.map((p) => ({ ...p, ...(o.tls ? { tls: o.tls } : {}) })),
          user: transportUser,
          clock: this.#clock,
          logger: this.#logger,
          ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
        });
    this.#transactions = new TransactionLayer({
      transport: this.#transport,
      user: this.#transactionUser(),
      clock: this.#clock,
      logger: this.#logger,
      ids: this.#ids,
      ...(o.timers ? { timers: o.timers } : {}),
    });
  }

  async close(): Promise<void> {
    // A closed server neither resends 2xx responses nor reports their missing ACKs.
    for (const stop of [...this.#awaitingAck.values()]) stop();
    this.#transactions?.close();
    await this.#transport?.close();
    this.#transactions = undefined;
    this.#transport = undefined;
  }

  request(target: Target, options: RequestOptions): Promise<SipResponse> {
    const transactions = this.#transactions;
    if (!transactions) return Promise.reject(new Error('server is not listening'));
    const request = this.#outgoingRequest(target, options);
    return new Promise<SipResponse>((resolve) => {
      let done = false;
      const settle = (response: SipResponse): void => {
        if (done) return;
        done = true;
        resolve(response);
      };
      transactions.sendRequest(request, target, {
        onResponse: ({ message }) => {
          if (message.status < 200) {
            if (!done) options.onProvisional?.(message);
            return;
          }
          // DEVIATION (RFC 3261 §13.2.2.4): no ACK for a 2xx to INVITE here; INVITE
          // sessions belong to the dialog layer.
          settle(message);
        },
        // RFC 3261 §8.1.3.1: a timeout counts as 408, a transport error as 503.
        onFailure: (failure) => settle(localResponse(request, failure.status)),
      });
    });
  }

  #transactionUser(): TransactionUser {
    return {
      onRequest: (tx, incoming) => void this.#serve(tx, incoming),
      onCancel: (tx, incoming) => this.#cancel(tx, incoming),
      onAck: (incoming) => void this.#serveAck(incoming),
      onServerFailure: (tx, failure) =>
        this.#logger.warn(
          { callId: tx.request.callId, method: tx.method, failure: failure.kind },
          'server transaction failed',
        ),
    };
  }

  async #serve(tx: ServerTransaction, incoming: IncomingMessage<SipRequest>): Promise<void> {
    const message = incoming.message;
    const req = new IncomingRequest(message, incoming.flow);
    // RFC 3261 §8.2.2.2: judged before this request is remembered, so a merged copy never
    // replaces the original's entry.
    const merged = this.#merged.isMerged(message);
    const release = merged ? undefined : this.#merged.remember(message);
    const res = new OutgoingResponse(message, {
      toTag: this.#ids.tag(),
      defaultHeaders: this.#defaultHeaders(message),
      send: async (response) => {
        if (response.status >= 200) {
          release?.();
          // Nothing can cancel it any more; let the call's objects go with this response
          // rather than with the transaction, which lives 64*T1 longer.
          this.#pending.delete(tx);
        }
        tx.respond(response);
        if (tx.method === 'INVITE' && response.status >= 200 && response.status < 300)
          this.#retransmitUntilAck(tx, req, response);
      },
    });
    // RFC 3261 §9.2: only an INVITE can be cancelled, so only INVITEs are looked up again.
    if (tx.method === 'INVITE') this.#pending.set(tx, { req, res });
    const policy = merged ? this.#policyMerged : this.#policyNotMerged;
    try {
      await dispatch(req, res, { router: this.#router, policy, logger: this.#logger });
    } catch (error) {
      // dispatch answers errors itself; reaching here is a bug in the app layer.
      this.#logger.error({ err: error, callId: message.callId }, 'dispatch failed');
    }
  }

  async #serveAck(incoming: IncomingMessage<SipRequest>): Promise<void> {
    const m = incoming.message;
    this.#awaitingAck.get(ackKey(m.callId, m.cseq.seq, m.to.params['tag'] ?? ''))?.();
    const req = new IncomingRequest(incoming.message, incoming.flow);
    const res = new OutgoingResponse(incoming.message, {
      toTag: '',
      send: async () => {
        throw new Error('ACK has no response');
      },
    });
    await dispatch(req, res, { router: this.#router, policy: this.#policy, logger: this.#logger });
  }

  /**
   * RFC 3261 §13.3.1.4: "The 2xx response is passed to the transport with an interval that
   * starts at T1 seconds and doubles for each retransmission until it reaches T2 seconds ...
   * terminated when an ACK request for this response is received." Over a reliable transport
   * nothing is resent, but the missing ACK is still noticed after 64*T1.
   */
  #retransmitUntilAck(tx: ServerTransaction, req: IncomingRequest, response: SipResponse): void {
    const key = ackKey(response.callId, response.cseq.seq, response.to.params['tag'] ?? '');
    const { t1, t2 } = this.#timers;
    const reliable = req.flow.protocol !== 'UDP';
    let interval = t1;
    let retransmit: TimerHandle | undefined;
    const stop = (): void => {
      if (retransmit !== undefined) this.#clock.clearTimeout(retransmit);
      this.#clock.clearTimeout(giveUp);
      this.#awaitingAck.delete(key);
    };
    const tick = (): void => {
      tx.respond(response);
      interval = Math.min(interval * 2, t2);
      retransmit = this.#clock.setTimeout(tick, interval);
    };
    if (!reliable) retransmit = this.#clock.setTimeout(tick, interval);
    const giveUp = this.#clock.setTimeout(() => {
      stop();
      req.markNoAck();
    }, 64 * t1);
    this.#awaitingAck.get(key)?.();
    this.#awaitingAck.set(key, stop);
  }

  sendInvite(target: Target, options: InviteOptions): OutgoingInvite {
    const transactions = this.#transactions;
    if (!transactions) throw new Error('server is not listening');
    const request = this.#outgoingRequest(target, { ...options, method: 'INVITE' });
    request.contact = [options.contact ?? this.localContact(target.protocol)];
    if (options.maxForwards !== undefined) request.maxForwards = options.maxForwards;
    const invite = new OutgoingInvite(request, target, this.#inviteSender(transactions));
    invite.start();
    return invite;
  }

  requestInDialog(
    dialog: Dialog,
    target: Target,
    method: string,
    options: InDialogOptions = {},
  ): Promise<SipResponse> {
    const transactions = this.#transactions;
    if (!transactions) return Promise.reject(new Error('server is not listening'));
    const request = dialog.createRequest(method, {
      headers: headerFields(options.headers),
      ...(options.body !== undefined ? { body: toBuffer(options.body) } : {}),
    });
    request.via = [this.#via(target)];
    if (this.#options.userAgent)
      request.headers.unshift({ name: 'User-Agent', value: this.#options.userAgent });
    return new Promise<SipResponse>((resolve) => {
      let done = false;
      transactions.sendRequest(request, target, {
        onResponse: ({ message }) => {
          if (message.status < 200) {
            if (!done) options.onProvisional?.(message);
            return;
          }
          dialog.receiveResponse(request, message);
          // RFC 3261 §12.3: "the BYE method terminates a session and the dialog associated
          // with it" (a 481 or 408 to it already did so in receiveResponse, §15.1.1).
          if (method === 'BYE' && message.status < 300) dialog.terminate();
          if (done) {
            // A retransmitted 2xx to a re-INVITE: our ACK was lost.
            if (method === 'INVITE') this.#resendAck(dialog, request.cseq.seq);
            return;
          }
          done = true;
          resolve(message);
        },
        onFailure: (failure) => {
          if (done) return;
          done = true;
          const response = localResponse(request, failure.status);
          dialog.receiveResponse(request, response);
          resolve(response);
        },
      });
    });
  }

  sendAck(dialog: Dialog, target: Target, options: AckOptions): void {
    const transport = this.#transport;
    if (!transport) return;
    const ack = dialog.createRequest('ACK', {
      cseq: options.cseq,
      headers: [...(options.headers ?? [])],
      ...(options.body ? { body: options.body } : {}),
    });
    // RFC 3261 §17.1.1.3: the ACK for a 2xx is a transaction of its own, with a new branch.
    ack.via = [this.#via(target)];
    this.#acks.set(dialog, { seq: options.cseq, ack, target });
    transport.sendRequest(ack, target).catch((error: unknown) => {
      this.#logger.warn({ err: error, callId: dialog.id.callId }, 'could not send ACK');
    });
  }

  #resendAck(dialog: Dialog, seq: number): boolean {
    const last = this.#acks.get(dialog);
    if (!last || last.seq !== seq || !this.#transport) return false;
    this.#transport.sendRequest(last.ack, last.target).catch(() => undefined);
    return true;
  }

  localContact(protocol: TransportProtocol, user?: string): NameAddr {
    const lp = this.listeningPoints.find((p) => p.protocol === protocol) ?? this.listeningPoints[0];
    const params: Record<string, string | null> = {};
    if (protocol !== 'UDP') params['transport'] = protocol.toLowerCase();
    return {
      uri: {
        scheme: protocol === 'TLS' || protocol === 'WSS' ? 'sips' : 'sip',
        ...(user ? { user } : {}),
        host: lp?.advertisedHost ?? 'invalid',
        ...(lp ? { port: lp.port } : {}),
        params,
        headers: {},
      },
      params: {},
    };
  }

  #inviteSender(transactions: TransactionLayer): InviteSender {
    return {
      startInvite: (request: SipRequest, target: Target, user: ClientTransactionUser) =>
        transactions.sendRequest(request, target, user) as InviteClientTransaction,
      cancelInvite: (tx) => {
        transactions.cancel(tx, { onResponse: () => undefined, onFailure: () => undefined });
      },
      sendAck: (dialog, target, options) => this.sendAck(dialog, target, options),
      resendAck: (dialog, seq) => this.#resendAck(dialog, seq),
      hangUp: (dialog, target) => {
        this.requestInDialog(dialog, target, 'BYE').catch(() => undefined);
      },
      localResponse,
    };
  }

  #via(target: Target): Via {
    const host =
      this.listeningPoints.find((lp) => lp.protocol === target.protocol)?.advertisedHost ??
      'invalid';
    return {
      protocol: 'SIP/2.0',
      transport: target.protocol,
      host,
      params: { branch: this.#ids.branch() },
    };
  }

  #cancel(tx: InviteServerTransaction, _incoming: IncomingMessage<SipRequest>): void {
    const pending = this.#pending.get(tx);
    if (!pending) return;
    pending.req.markCancelled();
    // RFC 3261 §9.2: "the UAS SHOULD immediately respond to the INVITE with a 487".
    if (!pending.res.finished) {
      pending.res
        .send(487)
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'could not send 487'));
    }
  }

  #defaultHeaders(request: SipRequest): readonly HeaderField[] {
    if (request.method !== 'OPTIONS') return this.#serverHeaders;
    const fields = [...this.#serverHeaders];
    // RFC 3261 §11.2: the answer to OPTIONS says what we allow, accept and support.
    fields.push({ name: 'Allow', value: this.#policy.allow.join(', ') });
    fields.push({ name: 'Accept', value: 'application/sdp' });
    if (this.#policy.supported.length > 0)
      fields.push({ name: 'Supported', value: this.#policy.supported.join(', ') });
    return fields;
  }

  #outgoingRequest(target: Target, options: RequestOptions): SipRequest {
    const uri = typeof options.uri === 'string' ? parseUri(options.uri) : options.uri;
    if (!uri) throw new TypeError(`bad Request-URI "${String(options.uri)}"`);
    const method = options.method.toUpperCase();
    const host =
      this.listeningPoints.find((lp) => lp.protocol === target.protocol)?.advertisedHost ??
      'invalid';
    const headers: HeaderField[] = [];
    if (this.#options.userAgent)
      headers.push({ name: 'User-Agent', value: this.#options.userAgent });
    for (const [name, raw] of Object.entries(options.headers ?? {})) {
      for (const value of typeof raw === 'string' ? [raw] : raw) headers.push({ name, value });
    }
    return {
      kind: 'request',
      method,
      uri,
      version: 'SIP/2.0',
      // RFC 3261 §8.1.1.7: a fresh branch with the magic cookie; the transport fills sent-by.
      via: [
        {
          protocol: 'SIP/2.0',
          transport: target.protocol,
          host,
          params: { branch: this.#ids.branch() },
        },
      ],
      from: options.from ?? {
        uri: { scheme: 'sip', user: 'ipvoice', host, params: {}, headers: {} },
        params: { tag: this.#ids.tag() },
      },
      to: options.to ?? { uri, params: {} },
      callId: options.callId ?? this.#ids.callId(),
      cseq: { seq: options.cseq ?? 1, method },
      maxForwards: 70,
      contact: [],
      contactWildcard: false,
      route: [],
      recordRoute: [],
      headers,
      body:
        typeof options.body === 'string'
          ? Buffer.from(options.body)
          : (options.body ?? Buffer.alloc(0)),
    };
  }
}

/** `policy` with a fixed §8.2.2.2 verdict; `allow` stays live, as handlers may be added later. */
function withMergeVerdict(policy: ValidationPolicy, merged: boolean): ValidationPolicy {
  return {
    get allow() {
      return policy.allow;
    },
    supported: policy.supported,
    accept: policy.accept,
    isMerged: () => merged,
  };
}

/** Methods with handlers, plus ACK and CANCEL which the stack handles for INVITE. */
function allowedMethods(methods: readonly string[]): string[] {
  const allow = [...methods];
  if (allow.includes('INVITE'))
    for (const m of ['ACK', 'CANCEL']) if (!allow.includes(m)) allow.push(m);
  return allow;
}

function ackKey(callId: string, seq: number, toTag: string): string {
  return `${callId}\n${seq}\n${toTag.toLowerCase()}`;
}

function headerFields(init: HeaderInit | undefined): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const [name, raw] of Object.entries(init ?? {})) {
    if (raw === undefined) continue;
    for (const value of typeof raw === 'string' ? [raw] : raw) fields.push({ name, value });
  }
  return fields;
}

function toBuffer(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : body;
}

/** A response we make up for a request that got none (RFC 3261 §8.1.3.1). */
function localResponse(request: SipRequest, status: 408 | 503): SipResponse {
  const response = buildResponse(request, {
    status,
    reason: status === 408 ? 'Request Timeout' : 'Service Unavailable',
    toTag: '',
    headers: [],
    body: Buffer.alloc(0),
  });
  response.to = request.to;
  return response;
}
