// RFC 3261 §17.2.2 (Figure 8): the non-INVITE server transaction.
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { IncomingMessage } from '../transport/types.ts';
import { TransactionStateError } from './errors.ts';
import { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts';
import { transactionTimeout } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';

const { Trying, Proceeding, Completed, Terminated } = TransactionState;

/** Figure 8 of RFC 3261: the moves each state allows. */
const transitions: Partial<Record<TransactionState, readonly TransactionState[]>> = {
  [Trying]: [Proceeding, Completed, Terminated],
  [Proceeding]: [Completed, Terminated],
  [Completed]: [Terminated],
};

export class NonInviteServerTransaction extends ServerTransaction {
  constructor(
    id: string,
    incoming: IncomingMessage<SipRequest>,
    user: ServerTransactionUser,
    context: TransactionContext,
  ) {
    // §17.2.2: "The state machine is initialized in the "Trying" state".
    super(id, incoming, user, context, Trying);
  }

  respond(response: SipResponse): void {
    const provisional = response.status < 200;
    switch (this.state) {
      case Trying:
        // §17.2.2: "While in the "Trying" state, if the TU passes a provisional response to
        // the server transaction, the server transaction MUST enter the "Proceeding" state.
        // The response MUST be passed to the transport layer for transmission."
        if (provisional) {
          this.stateTransition(Proceeding);
          this.sendResponse(response);
        } else {
          this.complete(response);
        }
        return;
      case Proceeding:
        // "Any further provisional responses that are received from the TU while in the
        // "Proceeding" state MUST be passed to the transport layer for transmission. If the
        // TU passes a final response (status codes 200-699) to the server while in the
        // "Proceeding" state, the transaction MUST enter the "Completed" state, and the
        // response MUST be passed to the transport layer for transmission."
        if (provisional) this.sendResponse(response);
        else this.complete(response);
        return;
      case Completed:
      case Terminated:
        // "Any other final responses passed by the TU to the server transaction MUST be
        // discarded while in the "Completed" state."
        this.context.logger.debug(
          { transaction: this.id, status: response.status },
          'response discarded',
        );
        return;
      default:
        throw new TransactionStateError(this.id, this.state, this.state);
    }
  }

  receiveRequest(_incoming: IncomingMessage<SipRequest>): void {
    switch (this.state) {
      case Trying:
        // §17.2.2: "Once in the "Trying" state, any further request retransmissions are
        // discarded."
        return;
      case Proceeding:
      // "If a retransmission of the request is received while in the "Proceeding" state,
      // the most recently sent provisional response MUST be passed to the transport layer
      // for retransmission."
      case Completed:
        // "While in the "Completed" state, the server transaction MUST pass the final
        // response to the transport layer for retransmission whenever a retransmission of
        // the request is received."
        this.resendLastResponse();
        return;
      default:
        return;
    }
  }

  protected onTransportError(error: unknown): void {
    // §17.2.4 / Figure 8: "Trnsprt Err. Inform TU" from Proceeding and Completed. On a
    // reliable transport the transaction may already be Terminated (Timer J is zero) when
    // the send fails; the TU is still told that its final response did not leave.
    this.context.logger.warn({ transaction: this.id, err: error }, 'transport error on response');
    if (this.state === Proceeding || this.state === Completed) this.stateTransition(Terminated);
    this.user.onFailure(this, { kind: 'transport-error', error });
  }

  private complete(response: SipResponse): void {
    this.stateTransition(Completed);
    this.sendResponse(response);
    // §17.2.2: "Timer J ... zero seconds for reliable transports."
    if (this.reliable) this.stateTransition(Terminated);
  }

  private stateTransition(to: TransactionState): void {
    const from = this.state;
    if (!transitions[from]?.includes(to)) throw new TransactionStateError(this.id, from, to);
    this.enterState(to);
    // §17.2.2: "When the server transaction enters the "Completed" state, it MUST set Timer J
    // to fire in 64*T1 seconds for unreliable transports".
    if (to === Completed && !this.reliable) {
      this.startTimer('J', transactionTimeout(this.context.timers), () =>
        this.stateTransition(Terminated),
      );
    }
  }
}
