// RFC 3261 §17.1.2 (Figure 6): the non-INVITE client transaction.
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { IncomingMessage, Target } from '../transport/types.ts';
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts';
import { TransactionStateError } from './errors.ts';
import { transactionTimeout } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';

const { Trying, Proceeding, Completed, Terminated } = TransactionState;

/** Figure 6 of RFC 3261: the moves each state allows. */
const transitions: Partial<Record<TransactionState, readonly TransactionState[]>> = {
  [Trying]: [Proceeding, Completed, Terminated],
  [Proceeding]: [Completed, Terminated],
  [Completed]: [Terminated],
};

export class NonInviteClientTransaction extends ClientTransaction {
  #timerE = 0;

  constructor(
    id: string,
    request: SipRequest,
    target: Target,
    user: ClientTransactionUser,
    context: TransactionContext,
  ) {
    super(id, request, target, user, context, Trying);
  }

  /** Sends the request; the layer calls this once it has filed the transaction. */
  start(): void {
    // §17.1.2.2: "The "Trying" state is entered when the TU initiates a new client
    // transaction with a request. When entering this state, the client transaction SHOULD
    // set timer F to fire in 64*T1 seconds. The request MUST be passed to the transport
    // layer for transmission. If an unreliable transport is in use, the client transaction
    // MUST set timer E to fire in T1 seconds."
    this.sendRequest();
    this.startTimer('F', transactionTimeout(this.context.timers), () => this.timerF());
    if (!this.reliable) {
      this.#timerE = this.context.timers.t1;
      this.startTimer('E', this.#timerE, () => this.timerE());
    }
  }

  receiveResponse(incoming: IncomingMessage<SipResponse>): void {
    const status = incoming.message.status;
    switch (this.state) {
      case Trying:
      case Proceeding:
        if (status < 200) {
          // §17.1.2.2: "If a provisional response is received while in the "Trying" state,
          // the response MUST be passed to the TU, and then the client transaction SHOULD
          // move to the "Proceeding" state."
          this.user.onResponse(incoming);
          if (this.state === Trying) this.stateTransition(Proceeding);
        } else {
          // "If a final response (status codes 200-699) is received while in the "Trying"
          // [or "Proceeding"] state, the response MUST be passed to the TU, and the client
          // transaction MUST transition to the "Completed" state."
          this.stateTransition(Completed);
          this.user.onResponse(incoming);
          // "Timer K ... zero seconds for reliable transports."
          if (this.reliable) this.stateTransition(Terminated);
        }
        return;
      case Completed:
      // "The "Completed" state exists to buffer any additional response retransmissions
      // that may be received": absorbed.
      case Terminated:
        return;
      default:
        throw new TransactionStateError(this.id, this.state, this.state);
    }
  }

  protected onTransportError(error: unknown): void {
    // §17.1.4 / Figure 6: "Timer F or Transport Err. inform TU" from Trying and Proceeding.
    if (this.state !== Trying && this.state !== Proceeding) return;
    this.context.logger.warn({ transaction: this.id, err: error }, 'transport error on request');
    this.stateTransition(Terminated);
    this.user.onFailure({ kind: 'transport-error', error, status: 503 });
  }

  private timerE(): void {
    this.sendRequest();
    if (this.state === Trying) {
      // §17.1.2.2: "If Timer E fires while still in this state, the timer is reset, but
      // this time with a value of MIN(2*T1, T2)."
      this.#timerE = Math.min(2 * this.#timerE, this.context.timers.t2);
    } else {
      // "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the
      // transport layer for retransmission, and Timer E MUST be reset with a value of T2."
      this.#timerE = this.context.timers.t2;
    }
    this.startTimer('E', this.#timerE, () => this.timerE());
  }

  private timerF(): void {
    // §17.1.2.2: "If Timer F fires while the client transaction is still in the "Trying"
    // [or "Proceeding"] state, the client transaction SHOULD inform the TU about the
    // timeout, and then it SHOULD enter the "Terminated" state."
    this.stateTransition(Terminated);
    this.user.onFailure({ kind: 'timeout', timer: 'F', status: 408 });
  }

  private stateTransition(to: TransactionState): void {
    const from = this.state;
    if (!transitions[from]?.includes(to)) throw new TransactionStateError(this.id, from, to);
    this.enterState(to);
    if (to === Completed) {
      this.stopTimer('E');
      this.stopTimer('F');
      // §17.1.2.2: "Once the client transaction enters the "Completed" state, it MUST set
      // Timer K to fire in T4 seconds for unreliable transports".
      if (!this.reliable)
        this.startTimer('K', this.context.timers.t4, () => this.stateTransition(Terminated));
    }
  }
}
