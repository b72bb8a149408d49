// RFC 3261 §17.1.1.1 and Appendix A (Table 4): the timer base values and the timers derived
// from them. Configurable because T1 may be raised on high-latency links (§17.1.1.1).

export interface TransactionTimers {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum time a message can remain in the network, default 5 s. */
  t4: number;
}

export const defaultTimers: TransactionTimers = { t1: 500, t2: 4000, t4: 5000 };

/** RFC 3261 §17.2.1: the 100 (Trying) is sent unless the TU answers within 200 ms. */
export const tryingDelay = 200;

/** Timer B, F, H, J (RFC 3261) and L, M (RFC 6026 §8.11): 64*T1. */
export function transactionTimeout(timers: TransactionTimers): number {
  return 64 * timers.t1;
}

/** RFC 3261 §17.1.1.2: Timer D is "at least 32 seconds for unreliable transports". It also has
 * to outlast the server's Timer H (64*T1), so a raised T1 raises it. */
export function timerD(timers: TransactionTimers): number {
  return Math.max(32_000, 64 * timers.t1);
}
