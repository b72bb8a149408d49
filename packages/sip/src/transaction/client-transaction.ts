// The part the two client machines share (RFC 3261 §17.1): sending to a fixed target and
// reporting upward to their transaction user.
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { Flow, IncomingMessage, Target, TransportProtocol } from '../transport/types.ts';
import type { ClientTransactionFailure } from './errors.ts';
import { Transaction, type TransactionContext } from './transaction.ts';
import type { TransactionState } from './transaction-state.ts';

/** The TU of a client transaction (RFC 3261 §17.1: "responses to TU", "inform TU"). */
export interface ClientTransactionUser {
  /** Provisional and final responses. For INVITE every 2xx is passed up, retransmissions
   * and other forks included (RFC 6026 §7.2), because the TU sends the ACK for 2xx. */
  onResponse(incoming: IncomingMessage<SipResponse>): void;
  /** Timer B/F fired or the transport failed; the transaction is Terminated. */
  onFailure(failure: ClientTransactionFailure): void;
}

export abstract class ClientTransaction extends Transaction {
  /** The flow the request first left on, once the transport reports it. */
  flow?: Flow;

  protected constructor(
    id: string,
    request: SipRequest,
    readonly target: Target,
    protected readonly user: ClientTransactionUser,
    context: TransactionContext,
    initial: TransactionState,
  ) {
    super(id, request, context, initial);
  }

  /** A response the layer matched to this transaction (RFC 3261 §17.1.3). */
  abstract receiveResponse(incoming: IncomingMessage<SipResponse>): void;

  protected override get protocol(): TransportProtocol {
    return this.target.protocol;
  }

  /** Passes the request to the transport; a failure reaches `onTransportError` (§17.1.4). */
  protected sendRequest(): void {
    this.context.transport.sendRequest(this.request, this.target).then(
      (flow) => {
        this.flow ??= flow;
      },
      (error: unknown) => this.onTransportError(error),
    );
  }

  /** RFC 3261 §17.1.4: inform the TU of the failure and go straight to Terminated. */
  protected abstract onTransportError(error: unknown): void;
}
