// RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §7.2 (Accepted state, Timer M).
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { IncomingMessage, Target } from '../transport/types.ts';
import { buildAckForNon2xx } from './build-ack.ts';
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts';
import { TransactionStateError } from './errors.ts';
import { timerD, transactionTimeout } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';

const { Calling, Proceeding, Completed, Accepted, Terminated } = TransactionState;

/** Figure 5 of RFC 3261 with RFC 6026's Accepted: the moves each state allows. */
const transitions: Partial<Record<TransactionState, readonly TransactionState[]>> = {
  [Calling]: [Proceeding, Accepted, Completed, Terminated],
  [Proceeding]: [Accepted, Completed, Terminated],
  [Completed]: [Terminated],
  [Accepted]: [Terminated],
};

export class InviteClientTransaction extends ClientTransaction {
  #timerA = 0;
  #ack?: SipRequest;
  #whenProceeding: (() => void)[] = [];

  constructor(
    id: string,
    request: SipRequest,
    target: Target,
    user: ClientTransactionUser,
    context: TransactionContext,
  ) {
    super(id, request, target, user, context, TransactionState.Calling);
  }

  /** Sends the INVITE; the layer calls this once it has filed the transaction. */
  start(): void {
    // RFC 3261 §17.1.1.2: "The initial state, "calling", MUST be entered when the TU
    // initiates a new client transaction with an INVITE request. The client transaction MUST
    // pass the request to the transport layer for transmission."
    this.sendRequest();
    // "If an unreliable transport is being used, the client transaction MUST start timer A
    // with a value of T1."
    if (!this.reliable) {
      this.#timerA = this.context.timers.t1;
      this.startTimer('A', this.#timerA, () => this.timerA());
    }
    // "For any transport, the client transaction MUST start timer B with a value of 64*T1."
    this.startTimer('B', transactionTimeout(this.context.timers), () => this.timerB());
  }

  /** Runs `fn` once the first provisional response arrives (RFC 3261 §9.1: a CANCEL waits
   * for one); dropped if the transaction completes without one. */
  whenProceeding(fn: () => void): void {
    if (this.state === TransactionState.Proceeding) fn();
    else if (this.state === TransactionState.Calling) this.#whenProceeding.push(fn);
  }

  receiveResponse(incoming: IncomingMessage<SipResponse>): void {
    const status = incoming.message.status;
    switch (this.state) {
      case TransactionState.Calling:
      case TransactionState.Proceeding:
        if (status < 200) {
          // §17.1.1.2: "If the client transaction receives a provisional response while in
          // the "Calling" state, it transitions to the "Proceeding" state. ... Furthermore,
          // the provisional response MUST be passed to the TU."
          if (this.state === TransactionState.Calling)
            this.stateTransition(TransactionState.Proceeding);
          this.user.onResponse(incoming);
        } else if (status < 300) {
          // RFC 6026 §8.4: "If the client transaction receives a 2xx response while in the
          // Calling or Proceeding state, it MUST transition to the Accepted state ... The 2xx
          // MUST be passed up to the TU."
          this.stateTransition(TransactionState.Accepted);
          this.user.onResponse(incoming);
        } else {
          // §17.1.1.2: "reception of a response with status code from 300-699 MUST cause the
          // client transaction to transition to "Completed". The client transaction MUST pass
          // the received response up to the TU, and the client transaction MUST generate an
          // ACK request, even if the transport is reliable"
          this.stateTransition(TransactionState.Completed);
          this.#ack = buildAckForNon2xx(this.request, incoming.message);
          this.sendAck();
          this.user.onResponse(incoming);
          // "...timer D ... a value of zero seconds for reliable transports."
          if (this.reliable) this.stateTransition(TransactionState.Terminated);
        }
        return;
      case TransactionState.Completed:
        // §17.1.1.2: "Any retransmissions of the final response that are received while in
        // the "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300) this.sendAck();
        return;
      case TransactionState.Accepted:
        // RFC 6026 §8.4: "any 2xx responses that match this client transaction and that are
        // received while in the Accepted state MUST be passed up to the TU. The client
        // transaction MUST NOT generate an ACK to the 2xx response"
        if (status >= 200 && status < 300) this.user.onResponse(incoming);
        return;
      case TransactionState.Terminated:
        return;
      default:
        throw new TransactionStateError(this.id, this.state, this.state);
    }
  }

  protected onTransportError(error: unknown): void {
    // RFC 3261 §17.1.4 / Figure 5: "Transport Err. Inform TU" from Calling and Proceeding.
    if (this.state !== TransactionState.Calling && this.state !== TransactionState.Proceeding)
      return;
    this.context.logger.warn({ transaction: this.id, err: error }, 'transport error on INVITE');
    this.stateTransition(TransactionState.Terminated);
    this.user.onFailure({ kind: 'transport-error', error, status: 503 });
  }

  private timerA(): void {
    if (this.state !== TransactionState.Calling) return;
    // §17.1.1.2: "When timer A fires, the client transaction MUST retransmit the request by
    // passing it to the transport layer, and MUST reset the timer with a value of 2*T1. ...
    // the request is retransmitted with intervals that double after each transmission."
    // Unlike Timer E and G there is no cap at T2 for INVITE.
    this.sendRequest();
    this.#timerA *= 2;
    this.startTimer('A', this.#timerA, () => this.timerA());
  }

  private timerB(): void {
    // §17.1.1.2: "If the client transaction is still in the "Calling" state when timer B
    // fires, the client transaction SHOULD inform the TU that a timeout has occurred. The
    // client transaction MUST NOT generate an ACK."
    if (this.state !== TransactionState.Calling) return;
    this.stateTransition(TransactionState.Terminated);
    this.user.onFailure({ kind: 'timeout', timer: 'B', status: 408 });
  }

  private sendAck(): void {
    if (!this.#ack) return;
    // §17.1.1.3: the ACK goes where the INVITE went, over the same connection if any.
    const connectionId = this.flow?.connectionId ?? this.target.connectionId;
    const target: Target =
      connectionId === undefined ? this.target : { ...this.target, connectionId };
    this.context.transport.sendRequest(this.#ack, target).catch((error: unknown) => {
      // The transaction already has its final response; a lost ACK is repaired by the
      // server's retransmission of the response.
      this.context.logger.warn({ transaction: this.id, err: error }, 'transport error on ACK');
    });
  }

  private stateTransition(to: TransactionState): void {
    const from = this.state;
    if (!transitions[from]?.includes(to)) throw new TransactionStateError(this.id, from, to);

    // Leaving Calling ends retransmissions and the Calling timeout (Timer C is a proxy's).
    this.stopTimer('A');
    this.stopTimer('B');
    this.enterState(to);

    switch (to) {
      case TransactionState.Proceeding: {
        const waiting = this.#whenProceeding;
        this.#whenProceeding = [];
        for (const fn of waiting) fn();
        break;
      }
      case TransactionState.Completed:
        this.#whenProceeding = [];
        // §17.1.1.2: "start timer D ... at least 32 seconds for unreliable transports"
        if (!this.reliable)
          this.startTimer('D', timerD(this.context.timers), () =>
            this.stateTransition(TransactionState.Terminated),
          );
        break;
      case TransactionState.Accepted:
        this.#whenProceeding = [];
        // RFC 6026 §8.4: "Timer M MUST be started with a value of 64*T1."
        this.startTimer('M', transactionTimeout(this.context.timers), () =>
          this.stateTransition(TransactionState.Terminated),
        );
        break;
      default:
        break;
    }
  }
}
