// The request as middleware and handlers see it: the typed message, the flow it came on,
// header lookup by name, and `locals` for what earlier middleware found out.
import type { SipRequest, Uri } from '../message/types.ts';
import type { Flow } from '../transport/types.ts';
import { headerValues } from './header-access.ts';

/** What middleware leaves for later steps. Extend it with declaration merging. */
export interface RequestLocals {
  /** Set by `digestAuth` once the request's credentials check out. */
  auth?: { username: string; realm: string };
  [key: string]: unknown;
}

export class IncomingRequest {
  readonly message: SipRequest;
  readonly flow: Flow;
  readonly locals: RequestLocals = {};
  #cancelled = false;
  #onCancel: Array<() => void> = [];
  #onNoAck: Array<() => void> = [];

  constructor(message: SipRequest, flow: Flow) {
    this.message = message;
    this.flow = flow;
  }

  get method(): string {
    return this.message.method;
  }

  get uri(): Uri {
    return this.message.uri;
  }

  get callId(): string {
    return this.message.callId;
  }

  get body(): Buffer {
    return this.message.body;
  }

  /** The first value of a header (any case, compact forms known), as text. */
  get(name: string): string | undefined {
    return headerValues(this.message, name)[0];
  }

  /** Every value of a header, one entry per header line (typed fields: one per value). */
  getAll(name: string): string[] {
    return headerValues(this.message, name);
  }

  has(name: string): boolean {
    return headerValues(this.message, name).length > 0;
  }

  /** Whether a CANCEL for this INVITE has arrived (RFC 3261 §9.2). */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Calls `fn` when a CANCEL for this request arrives; the server has already answered
   * the INVITE with 487 unless a final response went out first. */
  onCancel(fn: () => void): void {
    if (this.#cancelled) fn();
    else this.#onCancel.push(fn);
  }

  /** Calls `fn` when the 2xx we sent to this INVITE was never acknowledged (RFC 3261
   * §13.3.1.4: the UAS "SHOULD confirm the session and then terminate it with a BYE"). */
  onNoAck(fn: () => void): void {
    this.#onNoAck.push(fn);
  }

  /** @internal Called by the server when 64*T1 passed without an ACK for our 2xx. */
  markNoAck(): void {
    for (const fn of this.#onNoAck.splice(0)) fn();
  }

  /** @internal Called by the server when the transaction layer matches a CANCEL. */
  markCancelled(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    for (const fn of this.#onCancel.splice(0)) fn();
  }
}
