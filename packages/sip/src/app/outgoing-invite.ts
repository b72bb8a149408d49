// An INVITE we send as a user agent client (RFC 3261 §13.2): its provisional and final
// responses, the dialog its 2xx creates, the ACK for that 2xx (§13.2.2.4, sent by the UA,
// not the transaction), CANCEL (§9.1), and the clean-up of 2xx responses nobody wants
// (a fork's extra 2xx, or a 2xx that crossed our CANCEL: ACK then BYE, §13.2.2.4, §15).
import { Dialog } from '../dialog/dialog.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { ClientTransactionUser } from '../transaction/client-transaction.ts';
import type { InviteClientTransaction } from '../transaction/client-invite.ts';
import type { Target } from '../transport/types.ts';

/** What an OutgoingInvite needs from the server that sends it. */
export interface InviteSender {
  startInvite(
    request: SipRequest,
    target: Target,
    user: ClientTransactionUser,
  ): InviteClientTransaction;
  cancelInvite(tx: InviteClientTransaction): void;
  /** Sends the ACK for a 2xx straight to the transport and remembers it for resending. */
  sendAck(dialog: Dialog, target: Target, options: AckOptions): void;
  /** Resends the ACK remembered for this dialog and CSeq, if any; false when none was sent. */
  resendAck(dialog: Dialog, seq: number): boolean;
  /** Sends BYE in `dialog` and ignores the outcome (clean-up of an unwanted 2xx). */
  hangUp(dialog: Dialog, target: Target): void;
  localResponse(request: SipRequest, status: 408 | 503): SipResponse;
}

export interface AckOptions {
  cseq: number;
  body?: Buffer;
  headers?: readonly { name: string; value: string }[];
}

export class OutgoingInvite {
  #request: SipRequest;
  readonly target: Target;
  /** Resolves with the first final response (a local 408/503 when none came). */
  readonly final: Promise<SipResponse>;
  #tx: InviteClientTransaction | undefined;
  #sender: InviteSender;
  #resolve!: (response: SipResponse) => void;
  #finalResponse: SipResponse | undefined;
  #dialog: Dialog | undefined;
  /** Dialogs of other forks' 2xx responses, by To tag: acknowledged and hung up once. */
  #forks = new Map<string, Dialog>();
  #cancelRequested = false;
  #acked = false;
  #onProvisional: Array<(response: SipResponse) => void> = [];

  constructor(request: SipRequest, target: Target, sender: InviteSender) {
    this.#request = request;
    this.target = target;
    this.#sender = sender;
    this.final = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** @internal Starts the client transaction; the server calls it once. */
  start(): void {
    this.#tx = this.#sender.startInvite(this.request, this.target, {
      onResponse: ({ message }) => this.#response(message),
      onFailure: (failure) =>
        this.#settle(this.#sender.localResponse(this.request, failure.status)),
    });
  }

  /** The INVITE as sent; after the final response without its body and extra headers (a
   * settled INVITE is kept 64*T1 for retransmitted 2xx, RFC 6026, and must not keep more). */
  get request(): SipRequest {
    return this.#request;
  }

  /** The dialog the 2xx created, once the final response was a 2xx. */
  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  /** Where requests of the dialog go: the INVITE's own destination and connection. */
  get dialogTarget(): Target {
    const connectionId = this.#tx?.flow?.connectionId ?? this.target.connectionId;
    return connectionId === undefined ? this.target : { ...this.target, connectionId };
  }

  get finalResponse(): SipResponse | undefined {
    return this.#finalResponse;
  }

  onProvisional(fn: (response: SipResponse) => void): void {
    this.#onProvisional.push(fn);
  }

  /**
   * RFC 3261 §9.1: cancels the INVITE while it has no final response. A 2xx that still
   * arrives (it crossed the CANCEL) is acknowledged and hung up on (§15).
   */
  cancel(): void {
    if (this.#cancelRequested) return;
    this.#cancelRequested = true;
    if (this.#finalResponse) {
      if (this.#dialog && !this.#acked) this.#ackAndHangUp(this.#dialog);
      return;
    }
    if (this.#tx) this.#sender.cancelInvite(this.#tx);
  }

  /** RFC 3261 §13.2.2.4: the ACK for the 2xx, carrying the answer of a late offer if any. */
  ack(options: { body?: Buffer; headers?: readonly { name: string; value: string }[] } = {}): void {
    const dialog = this.#dialog;
    if (!dialog) throw new Error('no 2xx to acknowledge');
    if (this.#acked) return;
    this.#acked = true;
    this.#sender.sendAck(dialog, this.dialogTarget, { cseq: this.request.cseq.seq, ...options });
  }

  get acked(): boolean {
    return this.#acked;
  }

  #response(response: SipResponse): void {
    if (response.status < 200) {
      if (!this.#finalResponse) for (const fn of this.#onProvisional) fn(response);
      return;
    }
    if (response.status >= 300) {
      this.#settle(response);
      return;
    }
    const tag = response.to.params['tag'] ?? '';
    const options = { tls: this.target.protocol === 'TLS' };
    if (this.#dialog) {
      if (tag === this.#dialog.id.remoteTag) {
        // A retransmitted 2xx: our ACK was lost (§13.2.2.4 "retransmissions of the 2xx").
        if (this.#acked) this.#sender.resendAck(this.#dialog, this.request.cseq.seq);
        return;
      }
      const fork = this.#forks.get(tag);
      if (fork) {
        // That fork resends its 2xx: it missed our ACK, not our BYE (§13.2.2.4).
        this.#sender.resendAck(fork, this.request.cseq.seq);
        return;
      }
      // Another fork answered too: we keep one call, so end this one (§13.2.2.4).
      const extra = Dialog.fromUacResponse(this.request, response, options);
      if (extra.ok) {
        this.#forks.set(tag, extra.dialog);
        this.#ackAndHangUp(extra.dialog);
      }
      return;
    }
    const created = Dialog.fromUacResponse(this.request, response, options);
    if (!created.ok) {
      // A 2xx we cannot form a dialog from (no Contact): treat it as a failure.
      this.#settle({ ...response, status: 502, reason: 'Bad Gateway' });
      return;
    }
    this.#dialog = created.dialog;
    this.#settle(response);
    if (this.#cancelRequested) this.#ackAndHangUp(created.dialog);
  }

  #ackAndHangUp(dialog: Dialog): void {
    if (dialog === this.#dialog) this.#acked = true;
    this.#sender.sendAck(dialog, this.dialogTarget, { cseq: this.request.cseq.seq });
    this.#sender.hangUp(dialog, this.dialogTarget);
  }

  #settle(response: SipResponse): void {
    if (this.#finalResponse) return;
    this.#finalResponse = { ...response, headers: [], body: Buffer.alloc(0) };
    this.#request = { ...this.#request, headers: [], body: Buffer.alloc(0) };
    // Provisional listeners hold the caller's objects; the transaction that calls us back
    // lives on for 2xx retransmissions (RFC 6026 Timer M) and need not keep them.
    this.#onProvisional = [];
    this.#resolve(response);
  }
}
