// State names as RFC 3261 §17 (Figures 5–8) and RFC 6026 §7 (Accepted) write them.
export const TransactionState = {
  Calling: 'Calling',
  Trying: 'Trying',
  Proceeding: 'Proceeding',
  Completed: 'Completed',
  Confirmed: 'Confirmed',
  Accepted: 'Accepted',
  Terminated: 'Terminated',
} as const;

export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];
