// The part the two server machines share (RFC 3261 §17.2): answering over the flow the
// request came on and reporting failures upward.
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { Flow, IncomingMessage, TransportProtocol } from '../transport/types.ts';
import type { ServerTransactionFailure } from './errors.ts';
import { Transaction, type TransactionContext } from './transaction.ts';
import type { TransactionState } from './transaction-state.ts';

/** Where a server transaction reports upward: failures (RFC 3261 §17.2.1 Timer H, §17.2.4)
 * and an ACK matched while an INVITE is Accepted (RFC 6026 §8.7: it belongs to the TU). */
export interface ServerTransactionUser {
  onFailure(tx: ServerTransaction, failure: ServerTransactionFailure): void;
  onAck(tx: ServerTransaction, incoming: IncomingMessage<SipRequest>): void;
}

export abstract class ServerTransaction extends Transaction {
  /** The flow the request arrived on; responses go back over it (§18.2.2). */
  readonly flow: Flow;
  #lastResponse?: SipResponse;

  protected constructor(
    id: string,
    incoming: IncomingMessage<SipRequest>,
    protected readonly user: ServerTransactionUser,
    context: TransactionContext,
    initial: TransactionState,
  ) {
    super(id, incoming.message, context, initial);
    this.flow = incoming.flow;
  }

  /** The most recent response sent, used to answer retransmitted requests. */
  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** The TU's response to the request. Throws TransactionStateError when the state forbids it. */
  abstract respond(response: SipResponse): void;

  /** A retransmission of the request (or, for INVITE, an ACK) matched to this transaction. */
  abstract receiveRequest(incoming: IncomingMessage<SipRequest>): void;

  protected override get protocol(): TransportProtocol {
    return this.flow.protocol;
  }

  protected sendResponse(response: SipResponse): void {
    this.#lastResponse = response;
    this.resendLastResponse();
  }

  /** Keeps only the identity of the last response (its To tag is still read for CANCEL and
   * RFC 2543 ACK matching) once it will never be resent by the transaction itself. */
  protected slimLastResponse(): void {
    const r = this.#lastResponse;
    if (r && (r.headers.length > 0 || r.body.length > 0))
      this.#lastResponse = { ...r, headers: [], body: Buffer.alloc(0) };
  }

  protected resendLastResponse(): void {
    const response = this.#lastResponse;
    if (!response) return;
    this.context.transport
      .sendResponse(response, this.flow)
      .catch((error: unknown) => this.onTransportError(error));
  }

  /** RFC 3261 §17.2.4: the transport has already tried the §18.2.2 alternatives. */
  protected abstract onTransportError(error: unknown): void;
}
