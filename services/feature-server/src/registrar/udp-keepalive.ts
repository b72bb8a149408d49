// Keeps NAT pinholes of UDP registrations open: every interval an OPTIONS goes to each
// binding this server took over UDP, on the flow it came from (RFC 3581 received/rport).
// A device that answers nothing at all (the transaction times out, RFC 3261 §17.1.2.2)
// has gone, and its binding is removed; any response, even an error, proves the path.
// Stream transports need none of this: CRLF ping/pong (RFC 5626) and the connection's
// close do the same work there.
import type { Clock, Logger, SipServer, TimerHandle } from '@ipvoice/sip';
import type { Binding, RegistrationStore } from '@ipvoice/state';

export interface UdpKeepaliveOptions {
  sip: SipServer;
  registrations: RegistrationStore;
  clock: Clock;
  logger: Logger;
  serverId: string;
  intervalMs: number;
  onRemoved?: (binding: Binding) => void;
}

interface Tracked {
  aor: string;
  bindingId: string;
  contact: string;
  address: string;
  port: number;
}

export class UdpKeepalive {
  readonly #o: UdpKeepaliveOptions;
  readonly #tracked = new Map<string, Tracked>();
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(options: UdpKeepaliveOptions) {
    this.#o = options;
  }

  /** Bindings this server watches (tests and metrics). */
  get size(): number {
    return this.#tracked.size;
  }

  start(): void {
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Keeps the watch list in step with the registrar's changes. */
  update(aor: string, put: readonly Binding[], removed: readonly string[]): void {
    for (const id of removed) this.#tracked.delete(key(aor, id));
    for (const b of put) {
      const k = key(aor, b.bindingId);
      if (b.flow.protocol === 'UDP' && b.serverId === this.#o.serverId) {
        this.#tracked.set(k, {
          aor,
          bindingId: b.bindingId,
          contact: b.contact,
          address: b.flow.remoteAddress,
          port: b.flow.remotePort,
        });
      } else {
        this.#tracked.delete(k);
      }
    }
  }

  /** One round of pings; resolves when every ping has an outcome. */
  async pingAll(): Promise<void> {
    await Promise.all([...this.#tracked.values()].map((t) => this.#ping(t)));
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.pingAll()
        .catch((err: unknown) => this.#o.logger.warn({ err }, 'keep-alive round failed'))
        .finally(() => this.#schedule());
    }, this.#o.intervalMs);
  }

  async #ping(t: Tracked): Promise<void> {
    const response = await this.#o.sip.request(
      { protocol: 'UDP', address: t.address, port: t.port },
      { method: 'OPTIONS', uri: t.contact },
    );
    // 408 is the local timeout of the transaction: nothing came back at all.
    if (response.status !== 408) return;
    // Only drop it if it is still the binding we pinged (it may have been refreshed from
    // another address meanwhile).
    const current = (await this.#o.registrations.list(t.aor)).find(
      (b) => b.bindingId === t.bindingId,
    );
    if (current && current.flow.remoteAddress === t.address && current.flow.remotePort === t.port) {
      await this.#o.registrations.remove(t.aor, t.bindingId);
      this.#o.onRemoved?.(current);
      this.#o.logger.info(
        { aor: t.aor, contact: t.contact },
        'UDP binding removed: no answer to keep-alive',
      );
    }
    this.#tracked.delete(key(t.aor, t.bindingId));
  }
}

function key(aor: string, bindingId: string): string {
  return `${aor}\u0000${bindingId}`;
}
