// Calls the server answers itself (voicemail deposit, the message centre): one dialog with
// the caller, our own two-way media session, DTMF by RFC 4733 in the RTP or by SIP INFO, and
// BYE from either side. Kept apart from the bridged calls of active-calls.ts, whose requests
// go on to another leg.
import type { MediaEngine, MediaSession } from '@ipvoice/media';
import {
  Dialog,
  dialogKey,
  SipError,
  type IncomingRequest,
  type Logger,
  type Middleware,
  type OutgoingResponse,
  type SipServer,
  type Target,
} from '@ipvoice/sip';
import { answeredDialog, flowTarget } from './legs.ts';

/** A call answered by the server. */
export class MediaCall {
  readonly session: MediaSession;
  readonly dialog: Dialog;
  readonly target: Target;
  readonly #sip: SipServer;
  readonly #logger: Logger;
  readonly #onEnd: Array<() => void> = [];
  #ended = false;

  constructor(
    session: MediaSession,
    dialog: Dialog,
    target: Target,
    sip: SipServer,
    logger: Logger,
  ) {
    this.session = session;
    this.dialog = dialog;
    this.target = target;
    this.#sip = sip;
    this.#logger = logger;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Calls `fn` when the call ends, whoever ended it (at once if it has). */
  onEnd(fn: () => void): void {
    if (this.#ended) fn();
    else this.#onEnd.push(fn);
  }

  /** Resolves when the call has ended. */
  get done(): Promise<void> {
    return new Promise((resolve) => this.onEnd(resolve));
  }

  /** Ends the call from our side: BYE to the caller. */
  async hangUp(): Promise<void> {
    if (!this.markEnded()) return;
    try {
      await this.#sip.requestInDialog(this.dialog, this.target, 'BYE');
    } catch (err) {
      this.#logger.warn({ err, callId: this.dialog.id.callId }, 'BYE failed');
    } finally {
      this.dialog.terminate();
    }
  }

  /** @internal */
  markEnded(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.session.close();
    for (const fn of this.#onEnd.splice(0)) fn();
    return true;
  }
}

// RFC 2976 INFO bodies phones use for DTMF: `Signal=5` (application/dtmf-relay) or `5`
// (application/dtmf).
function infoDigit(req: IncomingRequest): string | undefined {
  const type = (req.get('Content-Type') ?? '').toLowerCase();
  const body = req.message.body.toString('utf8').trim();
  const digit = type.startsWith('application/dtmf-relay')
    ? /^signal\s*=\s*(\S)/im.exec(body)?.[1]
    : type.startsWith('application/dtmf')
      ? body[0]
      : undefined;
  return digit !== undefined && /^[0-9*#A-Da-d]$/.test(digit) ? digit.toUpperCase() : undefined;
}

export class MediaCalls {
  readonly #sip: SipServer;
  readonly #engine: MediaEngine;
  readonly #logger: Logger;
  readonly #byDialog = new Map<string, MediaCall>();

  constructor(sip: SipServer, engine: MediaEngine, logger: Logger) {
    this.#sip = sip;
    this.#engine = engine;
    this.#logger = logger;
  }

  get size(): number {
    return this.#byDialog.size;
  }

  /** Answers the INVITE with a two-way G.711 session; 488 when the offer has none. */
  async answer(req: IncomingRequest, res: OutgoingResponse): Promise<MediaCall> {
    const m = req.message;
    const session =
      m.body.length > 0 ? await this.#engine.open(m.body, { direction: 'sendrecv' }) : undefined;
    if (!session) throw new SipError(488, 'Not Acceptable Here (no G.711 audio offered)');
    const contact = this.#sip.localContact(req.flow.protocol);
    const created = answeredDialog(m, res.toTag, contact);
    if (!created.ok) {
      session.close();
      throw new SipError(400, `Bad Request (${created.reason})`);
    }
    const call = new MediaCall(
      session,
      created.dialog,
      flowTarget(req.flow),
      this.#sip,
      this.#logger,
    );
    const key = dialogKey(created.dialog.id);
    this.#byDialog.set(key, call);
    call.onEnd(() => this.#byDialog.delete(key));
    // The caller may give up before the answer goes out.
    req.onCancel(() => call.markEnded());
    req.onNoAck(() => void call.hangUp());
    await res.send(200, 'OK', {
      headers: { 'Content-Type': ['application/sdp'] },
      body: session.answer,
      contact: [contact],
    });
    return call;
  }

  /** Ends every call (server shutdown). */
  hangUpAll(): void {
    for (const call of [...this.#byDialog.values()]) void call.hangUp();
  }

  /** Requests within one of our dialogs; anything else goes on. */
  middleware(): Middleware {
    return async (req, res, next) => {
      const m = req.message;
      const tag = m.to.params['tag'];
      const call = tag
        ? this.#byDialog.get(
            dialogKey({ callId: m.callId, localTag: tag, remoteTag: m.from.params['tag'] ?? '' }),
          )
        : undefined;
      if (!call) return next();
      const checked = call.dialog.receiveRequest(m);
      if (req.method === 'ACK') return;
      if (!checked.ok) {
        await res.send(checked.status, checked.reason);
        return;
      }
      switch (req.method) {
        case 'BYE':
          await res.send(200);
          call.markEnded();
          return;
        case 'INFO': {
          const digit = infoDigit(req);
          if (digit !== undefined) call.session.injectDtmf(digit);
          await res.send(200);
          return;
        }
        case 'INVITE':
        case 'UPDATE':
          // A refresh (session timer, hold) keeps the session as answered.
          await res.send(200, 'OK', {
            headers: { 'Content-Type': ['application/sdp'] },
            body: call.session.answer,
            contact: [this.#sip.localContact(req.flow.protocol)],
          });
          return;
        default:
          await res.send(200);
      }
    };
  }
}
