// The transaction layer (RFC 3261 §17, RFC 6026).
export {
  TransactionLayer,
  type TransactionLayerOptions,
  type TransactionUser,
} from './transaction-layer.ts';
export { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts';
export { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts';
export { InviteClientTransaction } from './client-invite.ts';
export { NonInviteClientTransaction } from './client-non-invite.ts';
export { InviteServerTransaction } from './server-invite.ts';
export { NonInviteServerTransaction } from './server-non-invite.ts';
export { Transaction, type TimerName, type TransactionContext } from './transaction.ts';
export { TransactionState } from './transaction-state.ts';
export {
  defaultTimers,
  timerD,
  transactionTimeout,
  tryingDelay,
  type TransactionTimers,
} from './timers.ts';
export {
  TransactionRequestError,
  TransactionStateError,
  type ClientTransactionFailure,
  type ServerTransactionFailure,
} from './errors.ts';
export { buildAckForNon2xx } from './build-ack.ts';
export { buildCancel } from './build-cancel.ts';
export { clientKey, isRfc3261Branch, serverMatchKey, topBranch } from './keys.ts';
