// RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §7.1 (Accepted state, Timer L).
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { IncomingMessage } from '../transport/types.ts';
import { createResponse } from '../message/builders.ts';
import { TransactionStateError } from './errors.ts';
import { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts';
import { transactionTimeout, tryingDelay } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';

const { Proceeding, Completed, Confirmed, Accepted, Terminated } = TransactionState;

/** Figure 7 of RFC 3261 with RFC 6026's Accepted: the moves each state allows. */
const transitions: Partial<Record<TransactionState, readonly TransactionState[]>> = {
  [Proceeding]: [Accepted, Completed, Terminated],
  [Completed]: [Confirmed, Terminated],
  [Confirmed]: [Terminated],
  [Accepted]: [Terminated],
};

export class InviteServerTransaction extends ServerTransaction {
  #timerG = 0;

  constructor(
    id: string,
    incoming: IncomingMessage<SipRequest>,
    user: ServerTransactionUser,
    context: TransactionContext,
  ) {
    // §17.2.1: "When a server transaction is constructed for a request, it enters the
    // "Proceeding" state."
    super(id, incoming, user, context, Proceeding);
  }

  /** Arms the 100 (Trying) timer; the layer calls this before passing the INVITE to the TU. */
  start(): void {
    // §17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it knows
    // that the TU will generate a provisional or final response within 200 ms". The 100 has
    // no To tag: "downgraded from MAY to SHOULD NOT".
    this.startTimer('Trying', tryingDelay, () => {
      if (this.state === Proceeding && !this.lastResponse) {
        this.sendResponse(createResponse(this.request, 100));
      }
    });
  }

  respond(response: SipResponse): void {
    const status = response.status;
    this.stopTimer('Trying');
    switch (this.state) {
      case Proceeding:
        if (status < 200) {
          // §17.2.1: "So long as the server transaction is in the "Proceeding" state, each
          // of these MUST be passed to the transport layer for transmission."
          this.sendResponse(response);
        } else if (status < 300) {
          // RFC 6026 §8.5: "If, while in the "Proceeding" state, the TU passes a 2xx
          // response to the server transaction, the server transaction MUST pass this
          // response to the transport layer for transmission. It is not retransmitted by the
          // server transaction ... The server transaction MUST then transition to the
          // "Accepted" state."
          this.sendResponse(response);
          this.stateTransition(Accepted);
          // The TU retransmits its 2xx itself (RFC 3261 §13.3.1.4), with its own copy.
          this.slimLastResponse();
        } else {
          // §17.2.1: "If, while in the "Proceeding" state, the TU passes a response with
          // status code from 300 to 699 to the server transaction, the response MUST be
          // passed to the transport layer for transmission, and the state machine MUST enter
          // the "Completed" state."
          this.sendResponse(response);
          this.stateTransition(Completed);
        }
        return;
      case Accepted:
        // RFC 6026 §8.7: "While in the "Accepted" state, if the TU passes a 2xx response,
        // the server transaction MUST pass the response to the transport layer for
        // transmission." (the TU's own 2xx retransmissions, RFC 3261 §13.3.1.4)
        if (status >= 200 && status < 300) {
          this.sendResponse(response);
          this.slimLastResponse();
        }
        return;
      case Completed:
      case Confirmed:
      case Terminated:
        this.context.logger.debug({ transaction: this.id, status }, 'response discarded');
        return;
      default:
        throw new TransactionStateError(this.id, this.state, this.state);
    }
  }

  receiveRequest(incoming: IncomingMessage<SipRequest>): void {
    const isAck = incoming.message.method === 'ACK';
    switch (this.state) {
      case Proceeding:
        // §17.2.1: "If a request retransmission is received while in the "Proceeding" state,
        // the most recent provisional response that was received from the TU MUST be passed
        // to the transport layer for retransmission."
        if (!isAck) this.resendLastResponse();
        return;
      case Completed:
        if (isAck) {
          // §17.2.1: "If an ACK is received while the server transaction is in the
          // "Completed" state, the server transaction MUST transition to the "Confirmed"
          // state."
          this.stateTransition(Confirmed);
        } else {
          // "while in the "Completed" state, if a request retransmission is received, the
          // server SHOULD pass the response to the transport for retransmission."
          this.resendLastResponse();
        }
        return;
      case Confirmed:
        // §17.2.1: "The purpose of the "Confirmed" state is to absorb any additional ACK
        // messages that arrive".
        return;
      case Accepted:
        // RFC 6026 §8.7: "The purpose of the Accepted state is to absorb retransmissions of
        // an accepted INVITE request." An ACK matched here is the TU's (Figure 5: "ACK, to TU").
        if (isAck) this.user.onAck(this, incoming);
        return;
      default:
        return;
    }
  }

  protected onTransportError(error: unknown): void {
    this.context.logger.warn({ transaction: this.id, err: error }, 'transport error on response');
    switch (this.state) {
      case Proceeding:
      case Completed:
        // §17.2.4 / Figure 7: "Transport Err. Inform TU" and go to Terminated.
        this.stateTransition(Terminated);
        this.user.onFailure(this, { kind: 'transport-error', error });
        return;
      case Accepted:
        // RFC 6026 §7.1: "The server transaction MUST NOT discard transaction state based
        // only on encountering a non-recoverable transport error when sending a 2xx
        // response." It stays Accepted and informs the TU.
        this.user.onFailure(this, { kind: 'transport-error', error });
        return;
      default:
        return;
    }
  }

  private timerG(): void {
    if (this.state !== Completed) return;
    // §17.2.1: "If timer G fires, the response is passed to the transport layer once more
    // for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then
    // on ... reset with a value that doubles, unless that value exceeds T2".
    this.resendLastResponse();
    this.#timerG = Math.min(2 * this.#timerG, this.context.timers.t2);
    this.startTimer('G', this.#timerG, () => this.timerG());
  }

  private timerH(): void {
    // §17.2.1: "If timer H fires while in the "Completed" state, it implies that the ACK was
    // never received. In this case, the server transaction MUST transition to the
    // "Terminated" state, and MUST indicate to the TU that a transaction failure has
    // occurred."
    if (this.state !== Completed) return;
    this.stateTransition(Terminated);
    this.user.onFailure(this, { kind: 'timeout', timer: 'H' });
  }

  private stateTransition(to: TransactionState): void {
    const from = this.state;
    if (!transitions[from]?.includes(to)) throw new TransactionStateError(this.id, from, to);
    this.enterState(to);
    const { timers } = this.context;
    switch (to) {
      case Completed:
        // §17.2.1: "For unreliable transports, timer G is set to fire in T1 seconds, and is
        // not set to fire for reliable transports. ... timer H MUST be set to fire in 64*T1
        // seconds for all transports."
        if (!this.reliable) {
          this.#timerG = timers.t1;
          this.startTimer('G', this.#timerG, () => this.timerG());
        }
        this.startTimer('H', transactionTimeout(timers), () => this.timerH());
        break;
      case Confirmed:
        this.stopTimer('G');
        this.stopTimer('H');
        // §17.2.1: "timer I is set to fire in T4 seconds for unreliable transports, and zero
        // seconds for reliable transports."
        if (this.reliable) this.stateTransition(Terminated);
        else this.startTimer('I', timers.t4, () => this.stateTransition(Terminated));
        break;
      case Accepted:
        // RFC 6026 §8.7: "Timer L MUST be set to fire in 64*T1 for all transports."
        this.startTimer('L', transactionTimeout(timers), () => this.stateTransition(Terminated));
        break;
      default:
        break;
    }
  }
}
