// Typed errors and failure reports of the transaction layer (STYLE.md rule 5).
import type { TransactionState } from './transaction-state.ts';

/** A transaction was asked to do something its state does not allow (a TU bug). */
export class TransactionStateError extends Error {
  override readonly name = 'TransactionStateError';
  constructor(
    readonly transactionId: string,
    readonly from: TransactionState,
    readonly to: TransactionState,
  ) {
    super(`transaction ${transactionId}: invalid transition ${from} -> ${to}`);
  }
}

/** A request handed to the layer cannot start a transaction (no Via branch, wrong method). */
export class TransactionRequestError extends Error {
  override readonly name = 'TransactionRequestError';
}

/**
 * Why a client transaction ended without a final response. RFC 3261 §8.1.3.1: the TU treats
 * a timeout like a 408 (Request Timeout) and a transport error like a 503 (Service
 * Unavailable); `status` carries that equivalent so the TU can handle both alike.
 */
export type ClientTransactionFailure =
  | { kind: 'timeout'; timer: 'B' | 'F'; status: 408 }
  | { kind: 'transport-error'; error: unknown; status: 503 };

/** Why a server transaction failed (RFC 3261 §17.2.1 Timer H, §17.2.4 transport errors). */
export type ServerTransactionFailure =
  { kind: 'timeout'; timer: 'H' } | { kind: 'transport-error'; error: unknown };
