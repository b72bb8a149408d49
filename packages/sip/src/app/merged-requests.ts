// RFC 3261 §8.2.2.2: a request that forked and came back to us along two paths arrives
// twice with the same From tag, Call-ID and CSeq but on different transactions. The first
// is served; the others get 482. We remember each request's identity while its
// transaction may still be alive.
import type { SipRequest } from '../message/types.ts';
import type { Clock } from '../core/clock.ts';

/** RFC 3261 §17.2.2: a server transaction lives at most 64·T1 after its final response. */
const lifetimeAfterFinal = 64 * 500;

export class MergedRequests {
  #clock: Clock;
  #seen = new Map<string, string>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether `request` matches a remembered one by §8.2.2.2's key but not by transaction. */
  isMerged(request: SipRequest): boolean {
    if (request.to.params['tag'] !== undefined) return false;
    const known = this.#seen.get(keyOf(request));
    return known !== undefined && known !== transactionOf(request);
  }

  /** Remembers `request`; call the returned function when its final response is sent. */
  remember(request: SipRequest): () => void {
    if (request.method === 'ACK' || request.to.params['tag'] !== undefined) return () => {};
    const key = keyOf(request);
    const transaction = transactionOf(request);
    this.#seen.set(key, transaction);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#clock.setTimeout(() => {
        if (this.#seen.get(key) === transaction) this.#seen.delete(key);
      }, lifetimeAfterFinal);
    };
  }

  get size(): number {
    return this.#seen.size;
  }
}

function keyOf(request: SipRequest): string {
  return `${request.from.params['tag'] ?? ''}\n${request.callId}\n${request.cseq.seq}\n${request.cseq.method}`;
}

// RFC 3261 §17.2.3: branch and sent-by of the top Via identify the transaction.
function transactionOf(request: SipRequest): string {
  const via = request.via[0];
  if (!via) return '';
  return `${via.params['branch'] ?? ''}\n${via.host.toLowerCase()}\n${via.port ?? ''}`;
}
