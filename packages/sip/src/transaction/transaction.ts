// What every transaction shares: identity, state, and timers on the injected clock.
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { SipRequest } from '../message/types.ts';
import type { TransportLayer, TransportProtocol } from '../transport/types.ts';
import type { TransactionTimers } from './timers.ts';
import { TransactionState } from './transaction-state.ts';

export type TimerName =
  'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

/** What a transaction is given by the layer that owns it. */
export interface TransactionContext {
  transport: TransportLayer;
  clock: Clock;
  logger: Logger;
  timers: TransactionTimers;
  /** Called once when the transaction enters Terminated, so its owner can forget it
   * (RFC 3261 §17.1.1.2: "destroyed the instant it enters the Terminated state"). */
  onTerminated(tx: Transaction): void;
}

/** States in which the request is only matched against, never sent again. */
const settled = new Set<TransactionState>([
  TransactionState.Completed,
  TransactionState.Confirmed,
  TransactionState.Accepted,
]);

const emptyBody = Buffer.alloc(0);

export abstract class Transaction {
  #state: TransactionState;
  #timers = new Map<TimerName, TimerHandle>();
  #request: SipRequest;

  protected constructor(
    /** The key the layer filed it under (branch and method, or the RFC 2543 fallback). */
    readonly id: string,
    request: SipRequest,
    protected readonly context: TransactionContext,
    initial: TransactionState,
  ) {
    this.#request = request;
    this.#state = initial;
  }

  /**
   * The request that created the transaction. Once the transaction has its final response it
   * keeps only what matching, CANCEL and ACK building read (Via, From, To, Call-ID, CSeq,
   * Request-URI, Route): a settled transaction lives up to 64*T1 more, and at hundreds of
   * calls a second the other headers and bodies would fill the heap for nothing.
   */
  get request(): SipRequest {
    return this.#request;
  }

  get state(): TransactionState {
    return this.#state;
  }

  get method(): string {
    return this.request.method;
  }

  /** Ends the transaction now, whatever its state (the owner shutting down). */
  dispose(): void {
    if (this.#state !== TransactionState.Terminated) this.enterState(TransactionState.Terminated);
  }

  /** Sets the state; only the machines' own `stateTransition()` call this, after checking. */
  protected enterState(state: TransactionState): void {
    this.context.logger.debug(
      { transaction: this.id, from: this.#state, to: state },
      'transaction state',
    );
    this.#state = state;
    if (settled.has(state) && (this.#request.headers.length > 0 || this.#request.body.length > 0))
      this.#request = { ...this.#request, headers: [], body: emptyBody };
    if (state === TransactionState.Terminated) {
      for (const handle of this.#timers.values()) this.context.clock.clearTimeout(handle);
      this.#timers.clear();
      this.context.onTerminated(this);
    }
  }

  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    this.stopTimer(name);
    const handle = this.context.clock.setTimeout(() => {
      this.#timers.delete(name);
      fire();
    }, ms);
    this.#timers.set(name, handle);
  }

  protected stopTimer(name: TimerName): void {
    const handle = this.#timers.get(name);
    if (handle === undefined) return;
    this.context.clock.clearTimeout(handle);
    this.#timers.delete(name);
  }

  protected get reliable(): boolean {
    return this.context.transport.isReliable(this.protocol);
  }

  /** The transport protocol the transaction's messages travel on. */
  protected abstract get protocol(): TransportProtocol;
}
