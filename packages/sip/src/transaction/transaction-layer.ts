// The transaction layer (RFC 3261 §17): owns the transaction table, matches what the
// transport delivers to transactions, and reports the rest to the transaction user.
import { systemClock, type Clock } from '../core/clock.ts';
import { noopLogger, type Logger } from '../core/logger.ts';
import { createResponse } from '../message/builders.ts';
import { randomIdGenerator, type IdGenerator } from '../message/ids.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { IncomingMessage, Target, TransportLayer } from '../transport/types.ts';
import { buildCancel } from './build-cancel.ts';
import { InviteClientTransaction } from './client-invite.ts';
import { NonInviteClientTransaction } from './client-non-invite.ts';
import type { ClientTransaction, ClientTransactionUser } from './client-transaction.ts';
import { TransactionRequestError, type ServerTransactionFailure } from './errors.ts';
import { clientKey, isRfc3261Branch, serverMatchKey, serverMethodKey, topBranch } from './keys.ts';
import { NonInviteServerTransaction } from './server-non-invite.ts';
import { InviteServerTransaction } from './server-invite.ts';
import type { ServerTransaction, ServerTransactionUser } from './server-transaction.ts';
import { defaultTimers, type TransactionTimers } from './timers.ts';
import type { Transaction, TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';

/** The layer above (UA core or proxy core), told about requests and unmatched messages. */
export interface TransactionUser {
  /** A new request, with the server transaction that will carry its responses. */
  onRequest(tx: ServerTransaction, incoming: IncomingMessage<SipRequest>): void;
  /** A CANCEL matched an INVITE still waiting for its final response (RFC 3261 §9.2). The
   * layer has answered the CANCEL with 200; the TU should answer the INVITE with 487. */
  onCancel?(tx: InviteServerTransaction, incoming: IncomingMessage<SipRequest>): void;
  /** An ACK that belongs to no transaction: the ACK for a 2xx (RFC 3261 §17: its own
   * transaction, handled by the UAS core), or one matched while an INVITE is Accepted. */
  onAck?(incoming: IncomingMessage<SipRequest>): void;
  /** A response no client transaction matches, e.g. a 2xx retransmitted after Timer M
   * (RFC 6026 §7.2). Dropped when not implemented. */
  onStrayResponse?(incoming: IncomingMessage<SipResponse>): void;
  /** A server transaction failed: Timer H fired without an ACK, or the transport failed. */
  onServerFailure?(tx: ServerTransaction, failure: ServerTransactionFailure): void;
}

export interface TransactionLayerOptions {
  transport: TransportLayer;
  user: TransactionUser;
  clock?: Clock;
  logger?: Logger;
  timers?: Partial<TransactionTimers>;
  /** To tags for the responses the layer makes itself (to CANCEL). */
  ids?: IdGenerator;
}

export class TransactionLayer {
  readonly #user: TransactionUser;
  readonly #context: TransactionContext;
  readonly #ids: IdGenerator;
  readonly #clients = new Map<string, ClientTransaction>();
  /** Server transactions by match key, then by method (ACK filed under INVITE). */
  readonly #servers = new Map<string, Map<string, ServerTransaction>>();
  readonly #serverUser: ServerTransactionUser;

  constructor(options: TransactionLayerOptions) {
    this.#user = options.user;
    this.#ids = options.ids ?? randomIdGenerator;
    this.#context = {
      transport: options.transport,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? noopLogger,
      timers: { ...defaultTimers, ...options.timers },
      onTerminated: (tx) => this.#forget(tx),
    };
    this.#serverUser = {
      onFailure: (tx, failure) => this.#user.onServerFailure?.(tx, failure),
      onAck: (_tx, incoming) => this.#user.onAck?.(incoming),
    };
  }

  /** Live transactions, client and server. */
  get size(): number {
    let servers = 0;
    for (const byMethod of this.#servers.values()) servers += byMethod.size;
    return this.#clients.size + servers;
  }

  /**
   * Starts a client transaction for `request` (any method but ACK) towards `target`. The
   * request's top Via must carry the branch that identifies it (RFC 3261 §8.1.1.7).
   */
  sendRequest(request: SipRequest, target: Target, user: ClientTransactionUser): ClientTransaction {
    if (request.method === 'ACK') {
      // RFC 3261 §17.1.1.3: the ACK for a 2xx is sent by the TU straight to the transport.
      throw new TransactionRequestError('an ACK does not start a client transaction');
    }
    const branch = topBranch(request);
    if (branch === undefined) throw new TransactionRequestError('request has no Via branch');
    const key = clientKey(branch, request.method);
    if (this.#clients.has(key))
      throw new TransactionRequestError(`a transaction with branch ${branch} exists`);

    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, target, user, this.#context)
        : new NonInviteClientTransaction(key, request, target, user, this.#context);
    this.#clients.set(key, tx);
    tx.start();
    return tx;
  }

  /**
   * RFC 3261 §9.1: cancels a pending INVITE. The CANCEL goes where the INVITE went and, if
   * no provisional response has arrived yet, waits for one ("the client MUST wait for the
   * arrival of a provisional response before sending the request"). Returns false when the
   * INVITE already has a final response, in which case no CANCEL is sent.
   */
  cancel(invite: InviteClientTransaction, user: ClientTransactionUser): boolean {
    if (invite.state !== TransactionState.Calling && invite.state !== TransactionState.Proceeding)
      return false;
    invite.whenProceeding(() => {
      const connectionId = invite.flow?.connectionId ?? invite.target.connectionId;
      const target: Target =
        connectionId === undefined ? invite.target : { ...invite.target, connectionId };
      this.sendRequest(buildCancel(invite.request), target, user);
    });
    return true;
  }

  /** The transport's request sink (RFC 3261 §17.2.3 matching). */
  receiveRequest(incoming: IncomingMessage<SipRequest>): void {
    const request = incoming.message;
    const matchKey = serverMatchKey(request);
    if (matchKey === undefined) {
      this.#context.logger.debug({ callId: request.callId }, 'request without Via dropped');
      return;
    }
    const existing = this.#findServer(matchKey, request, serverMethodKey(request.method));

    if (request.method === 'ACK') {
      // An ACK for a non-2xx matches the INVITE server transaction; any other ACK is the
      // TU's (RFC 3261 §17: the ACK for a 2xx is not part of the INVITE transaction).
      if (existing) existing.receiveRequest(incoming);
      else this.#user.onAck?.(incoming);
      return;
    }
    if (existing) {
      // A retransmission: the transaction absorbs it or answers it again.
      existing.receiveRequest(incoming);
      return;
    }

    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(
            `${matchKey}|INVITE`,
            incoming,
            this.#serverUser,
            this.#context,
          )
        : new NonInviteServerTransaction(
            `${matchKey}|${request.method}`,
            incoming,
            this.#serverUser,
            this.#context,
          );
    let byMethod = this.#servers.get(matchKey);
    if (!byMethod) {
      byMethod = new Map();
      this.#servers.set(matchKey, byMethod);
    }
    byMethod.set(request.method, tx);
    if (tx instanceof InviteServerTransaction) tx.start();

    if (request.method === 'CANCEL') this.#answerCancel(tx, matchKey, incoming);
    else this.#user.onRequest(tx, incoming);
  }

  /** The transport's response sink (RFC 3261 §17.1.3 matching). */
  receiveResponse(incoming: IncomingMessage<SipResponse>): void {
    const response = incoming.message;
    const branch = topBranch(response);
    const tx =
      branch === undefined ? undefined : this.#clients.get(clientKey(branch, response.cseq.method));
    if (tx) {
      tx.receiveResponse(incoming);
      return;
    }
    if (this.#user.onStrayResponse) this.#user.onStrayResponse(incoming);
    else
      this.#context.logger.debug(
        { callId: response.callId, status: response.status },
        'stray response dropped',
      );
  }

  /** Ends every transaction and stops their timers. */
  close(): void {
    for (const tx of [...this.#clients.values()]) tx.dispose();
    for (const byMethod of [...this.#servers.values()])
      for (const tx of [...byMethod.values()]) tx.dispose();
  }

  /**
   * RFC 3261 §9.2: the CANCEL matches the transaction whose request is "anything but CANCEL
   * or ACK" under §17.2.3. "If the UAS did not find a matching transaction for the CANCEL
   * ... it SHOULD respond to the CANCEL with a 481"; otherwise it "answers the CANCEL
   * request itself with a 200 (OK) response", and a pending INVITE is the TU's to end.
   */
  #answerCancel(
    cancelTx: ServerTransaction,
    matchKey: string,
    incoming: IncomingMessage<SipRequest>,
  ): void {
    const request = incoming.message;
    const target =
      this.#findServer(matchKey, request, 'INVITE') ??
      [...(this.#servers.get(matchKey)?.values() ?? [])].find(
        (tx) => tx.method !== 'CANCEL' && this.#toTagMatches(tx, request, tx.method),
      );
    if (!target) {
      cancelTx.respond(createResponse(request, 481, undefined, { ids: this.#ids }));
      return;
    }
    // "The To tag of the response to the CANCEL and the To tag in the response to the
    // original request SHOULD be the same."
    const toTag = target.lastResponse?.to.params['tag'] ?? this.#ids.tag();
    cancelTx.respond(createResponse(request, 200, 'OK', { toTag }));
    const finalSent = (target.lastResponse?.status ?? 0) >= 200;
    if (
      target instanceof InviteServerTransaction &&
      target.state === TransactionState.Proceeding &&
      !finalSent
    ) {
      this.#user.onCancel?.(target, incoming);
    }
  }

  #findServer(
    matchKey: string,
    request: SipRequest,
    method: string,
  ): ServerTransaction | undefined {
    const tx = this.#servers.get(matchKey)?.get(method);
    if (!tx) return undefined;
    return this.#toTagMatches(tx, request, method) ? tx : undefined;
  }

  /**
   * RFC 3261 §17.2.3, RFC 2543 fallback: the To tag must match too — the original request's
   * for a retransmission, "the To tag of the response sent by the server transaction" for an
   * ACK. With a magic-cookie branch the key alone decides.
   */
  #toTagMatches(tx: ServerTransaction, request: SipRequest, method: string): boolean {
    if (isRfc3261Branch(topBranch(tx.request))) return true;
    const tag = request.to.params['tag'] ?? undefined;
    if (request.method === 'ACK' && method === 'INVITE')
      return tag === (tx.lastResponse?.to.params['tag'] ?? undefined);
    return tag === (tx.request.to.params['tag'] ?? undefined);
  }

  #forget(tx: Transaction): void {
    if (tx instanceof InviteClientTransaction || tx instanceof NonInviteClientTransaction) {
      if (this.#clients.get(tx.id) === tx) this.#clients.delete(tx.id);
      return;
    }
    const matchKey = serverMatchKey(tx.request);
    if (matchKey === undefined) return;
    const byMethod = this.#servers.get(matchKey);
    if (byMethod?.get(tx.method) !== tx) return;
    byMethod.delete(tx.method);
    if (byMethod.size === 0) this.#servers.delete(matchKey);
  }
}
