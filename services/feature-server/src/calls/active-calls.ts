// Answered calls: two dialogs (caller side "a", callee side "b") joined by the B2BUA. What
// one side sends within its dialog is sent on within the other (re-INVITE for hold or a T.38
// fax switch, UPDATE, INFO, OPTIONS, MESSAGE …), and the answer comes back; BYE from either
// side ends both. RFC 4028 session timers are honoured: a session not refreshed in time is
// ended (§10).
import {
  dialogKey,
  getHeader,
  type Clock,
  type Dialog,
  type IncomingRequest,
  type Logger,
  type Middleware,
  type OutgoingInvite,
  type OutgoingResponse,
  type SipServer,
  type Target,
  type TimerHandle,
} from '@ipvoice/sip';
import { asHeaderInit, relayHeaders } from './legs.ts';

export type Side = 'a' | 'b';

export interface Leg {
  dialog: Dialog;
  target: Target;
}

export type EndCause = 'bye-a' | 'bye-b' | 'no-ack' | 'session-expired' | 'shutdown';

export class ActiveCall {
  readonly a: Leg;
  readonly b: Leg;
  readonly #bInvite: OutgoingInvite;
  readonly #clock: Clock;
  readonly #onEnd: (cause: EndCause) => void;
  /** A re-INVITE relayed and answered 2xx, waiting for the ACK to pass on (RFC 3261 §13.2.2.4). */
  pendingAck: { from: Side; seq: number; otherSeq: number } | undefined;
  #ended = false;
  #sessionTimer: TimerHandle | undefined;

  constructor(
    a: Leg,
    b: Leg,
    bInvite: OutgoingInvite,
    clock: Clock,
    onEnd: (cause: EndCause) => void,
  ) {
    this.a = a;
    this.b = b;
    this.#bInvite = bInvite;
    this.#clock = clock;
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.#ended;
  }

  leg(side: Side): Leg {
    return side === 'a' ? this.a : this.b;
  }

  /** The caller's ACK for our 2xx: acknowledge the callee's 2xx, carrying a late answer. */
  ackInitial(body: Buffer): boolean {
    if (this.#bInvite.acked) return false;
    this.#bInvite.ack(
      body.length > 0
        ? { body, headers: [{ name: 'Content-Type', value: 'application/sdp' }] }
        : {},
    );
    return true;
  }

  /** @internal */
  markEnded(cause: EndCause): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.clearSessionTimer();
    this.#onEnd(cause);
    return true;
  }

  setSessionTimer(ms: number, fn: () => void): void {
    this.clearSessionTimer();
    this.#sessionTimer = this.#clock.setTimeout(fn, ms);
  }

  clearSessionTimer(): void {
    if (this.#sessionTimer !== undefined) this.#clock.clearTimeout(this.#sessionTimer);
    this.#sessionTimer = undefined;
  }
}

/** RFC 4028 §4: `Session-Expires: 1800;refresher=uac`, compact form `x`. */
export function sessionExpiresSeconds(headers: {
  headers: { name: string; value: string }[];
}): number | undefined {
  const value = getHeader(headers, 'Session-Expires');
  const seconds = value ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export class ActiveCalls {
  readonly #byDialog = new Map<string, { call: ActiveCall; side: Side }>();
  readonly #calls = new Set<ActiveCall>();
  readonly #sip: SipServer;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(sip: SipServer, clock: Clock, logger: Logger) {
    this.#sip = sip;
    this.#clock = clock;
    this.#logger = logger;
  }

  get size(): number {
    return this.#calls.size;
  }

  add(call: ActiveCall): void {
    this.#calls.add(call);
    this.#byDialog.set(dialogKey(call.a.dialog.id), { call, side: 'a' });
    this.#byDialog.set(dialogKey(call.b.dialog.id), { call, side: 'b' });
  }

  /** Arms (or re-arms) the RFC 4028 timer from a 2xx that carried Session-Expires. */
  armSessionTimer(call: ActiveCall, seconds: number | undefined): void {
    if (seconds === undefined) return;
    // RFC 4028 §10: without a refresh, the session ends at expiry; we allow the refresher
    // the whole interval plus a margin before sending BYE ourselves.
    call.setSessionTimer(seconds * 1000 + 2000, () => {
      this.#logger.info({ callId: call.a.dialog.id.callId }, 'session timer expired');
      this.hangUp(call, 'session-expired');
    });
  }

  /** Ends the call from our side: BYE to both legs. */
  hangUp(call: ActiveCall, cause: EndCause): void {
    if (!this.#end(call, cause)) return;
    for (const leg of [call.a, call.b]) this.#bye(leg, cause);
  }

  /** Hangs up every call (server shutdown). */
  hangUpAll(): void {
    for (const call of [...this.#calls]) this.hangUp(call, 'shutdown');
  }

  /** Handles every request that carries a To tag: it belongs to a dialog of ours or gets 481. */
  middleware(): Middleware {
    return async (req, res, next) => {
      if (!req.message.to.params['tag']) return next();
      await this.#inDialog(req, res);
    };
  }

  async #inDialog(req: IncomingRequest, res: OutgoingResponse): Promise<void> {
    const m = req.message;
    const found = this.#byDialog.get(
      dialogKey({
        callId: m.callId,
        localTag: m.to.params['tag'] ?? '',
        remoteTag: m.from.params['tag'] ?? '',
      }),
    );
    if (!found) {
      // RFC 3261 §12.2.2: a request for a dialog we do not know.
      if (req.method !== 'ACK') await res.send(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const { call, side } = found;
    const here = call.leg(side);
    const there = call.leg(side === 'a' ? 'b' : 'a');
    const checked = here.dialog.receiveRequest(m);
    if (!checked.ok) {
      if (req.method !== 'ACK') await res.send(checked.status, checked.reason);
      return;
    }
    if (req.method === 'ACK') {
      this.#relayAck(call, side, m.cseq.seq, m.body, m.headers);
      return;
    }
    if (req.method === 'BYE') {
      await res.send(200);
      if (this.#end(call, side === 'a' ? 'bye-a' : 'bye-b'))
        this.#bye(there, 'bye', relayHeaders(m));
      return;
    }
    if (call.ended) {
      await res.send(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const response = await this.#sip.requestInDialog(there.dialog, there.target, req.method, {
      headers: asHeaderInit(relayHeaders(m)),
      body: m.body,
    });
    if (req.method === 'INVITE' && response.status >= 200 && response.status < 300) {
      call.pendingAck = { from: side, seq: m.cseq.seq, otherSeq: response.cseq.seq };
    }
    if (
      (req.method === 'INVITE' || req.method === 'UPDATE') &&
      response.status >= 200 &&
      response.status < 300
    ) {
      this.armSessionTimer(call, sessionExpiresSeconds(response));
    }
    const twoHundred = response.status >= 200 && response.status < 300;
    await res.send(response.status, response.reason, {
      headers: asHeaderInit(relayHeaders(response)),
      body: response.body,
      ...(twoHundred && (req.method === 'INVITE' || req.method === 'UPDATE')
        ? { contact: [this.#sip.localContact(req.flow.protocol)] }
        : {}),
    });
    // RFC 3261 §12.2.1.2: the other side no longer knows the dialog; neither should we.
    if (response.status === 481 || (response.status === 408 && req.method !== 'INFO'))
      this.hangUp(call, side === 'a' ? 'bye-b' : 'bye-a');
  }

  #relayAck(
    call: ActiveCall,
    side: Side,
    seq: number,
    body: Buffer,
    headers: { name: string; value: string }[],
  ): void {
    if (side === 'a' && call.ackInitial(body)) return;
    const pending = call.pendingAck;
    if (!pending || pending.from !== side || pending.seq !== seq) return;
    call.pendingAck = undefined;
    const there = call.leg(side === 'a' ? 'b' : 'a');
    const contentType = headers.find((h) => /^(content-type|c)$/i.test(h.name));
    this.#sip.sendAck(there.dialog, there.target, {
      cseq: pending.otherSeq,
      ...(body.length > 0 ? { body } : {}),
      ...(contentType ? { headers: [{ name: 'Content-Type', value: contentType.value }] } : {}),
    });
  }

  #end(call: ActiveCall, cause: EndCause): boolean {
    if (!call.markEnded(cause)) return false;
    this.#calls.delete(call);
    this.#byDialog.delete(dialogKey(call.a.dialog.id));
    this.#byDialog.delete(dialogKey(call.b.dialog.id));
    return true;
  }

  #bye(leg: Leg, cause: string, headers: { name: string; value: string }[] = []): void {
    if (leg.dialog.state === 'terminated') return;
    const fields =
      headers.length > 0
        ? headers
        : cause === 'bye'
          ? []
          : [{ name: 'Reason', value: `SIP;cause=200;text="${cause}"` }];
    this.#sip
      .requestInDialog(leg.dialog, leg.target, 'BYE', { headers: asHeaderInit(fields) })
      // Whatever the answer, this side of the call is over.
      .then(() => leg.dialog.terminate())
      .catch((err: unknown) =>
        this.#logger.warn({ err, callId: leg.dialog.id.callId }, 'BYE failed'),
      );
  }
}
