// Message-waiting indication (RFC 3842): devices SUBSCRIBE to `message-summary` for their
// own number and get a NOTIFY at once and whenever the box changes; devices that said in
// their REGISTER that they take it (Allow-Events: message-summary, RFC 6665 §8.2.2) get an
// unsolicited NOTIFY instead. A change on any server is published on the state store, and
// each server notifies the subscriptions and flows it holds.
import {
  Dialog,
  dialogKey,
  getHeader,
  parseUri,
  SipError,
  type Clock,
  type IncomingRequest,
  type Logger,
  type Middleware,
  type OutgoingResponse,
  type SipServer,
  type Target,
  type TimerHandle,
} from '@ipvoice/sip';
import { messageWaitingChannel, type StateStore } from '@ipvoice/state';
import { answeredDialog, bindingTarget, flowTarget } from '../calls/legs.ts';

export interface MessageCounts {
  new: number;
  saved: number;
}

export interface MessageWaitingOptions {
  sip: SipServer;
  state: StateStore;
  clock: Clock;
  logger: Logger;
  domain: string;
  serverId: string;
  /** The box's counts; undefined when the number has no voicemail box. */
  counts(number: string): Promise<MessageCounts | undefined>;
  /** Longest subscription granted, seconds (RFC 6665 §4.2.1.1 lets the notifier shorten it). */
  maxExpires?: number;
}

interface Subscription {
  number: string;
  dialog: Dialog;
  target: Target;
  expiresAt: number;
  timer: TimerHandle | undefined;
}

/** RFC 3842 §5.2 body. */
export function messageSummary(account: string, counts: MessageCounts): string {
  return [
    `Messages-Waiting: ${counts.new > 0 ? 'yes' : 'no'}`,
    `Message-Account: ${account}`,
    `Voice-Message: ${counts.new}/${counts.saved} (0/0)`,
    '',
  ].join('\r\n');
}

export class MessageWaiting {
  readonly #o: MessageWaitingOptions;
  readonly #subscriptions = new Map<string, Subscription>();

  constructor(options: MessageWaitingOptions) {
    this.#o = options;
  }

  /** Listens for changes made anywhere; resolves once listening. */
  follow(): Promise<() => Promise<void>> {
    return this.#o.state.subscribe(messageWaitingChannel, (number) => {
      this.#notifyHere(number).catch((err: unknown) =>
        this.#o.logger.warn({ err, number }, 'message-waiting NOTIFY failed'),
      );
    });
  }

  /** Tells every server that `number`'s box changed. */
  async changed(number: string): Promise<void> {
    await this.#o.state.publish(messageWaitingChannel, number);
  }

  get subscriptions(): number {
    return this.#subscriptions.size;
  }

  /** A new SUBSCRIBE (no To tag) from the device of `number`, already authenticated. */
  async subscribe(req: IncomingRequest, res: OutgoingResponse, number: string): Promise<void> {
    this.#checkEvent(req);
    if (!(await this.#o.counts(number))) throw new SipError(404, 'Not Found (no voicemail box)');
    const expires = this.#expires(req);
    const contact = this.#o.sip.localContact(req.flow.protocol);
    const m = req.message;
    // Expires 0 is a fetch (RFC 6665 §4.4.3): answered and notified once, not kept.
    const created = answeredDialog(m, res.toTag, contact);
    if (!created.ok) throw new SipError(400, `Bad Request (${created.reason})`);
    await res.send(200, 'OK', { headers: { Expires: [String(expires)] }, contact: [contact] });
    const subscription: Subscription = {
      number,
      dialog: created.dialog,
      target: flowTarget(req.flow),
      expiresAt: this.#o.clock.now() + expires * 1000,
      timer: undefined,
    };
    if (expires > 0) {
      this.#subscriptions.set(dialogKey(created.dialog.id), subscription);
      this.#arm(subscription);
    }
    await this.#notify(subscription, expires === 0);
  }

  /** Refreshes and unsubscribes within a subscription's dialog; anything else goes on. */
  middleware(): Middleware {
    return async (req, res, next) => {
      const m = req.message;
      const tag = m.to.params['tag'];
      if (req.method !== 'SUBSCRIBE' || !tag) return next();
      const key = dialogKey({
        callId: m.callId,
        localTag: tag,
        remoteTag: m.from.params['tag'] ?? '',
      });
      const subscription = this.#subscriptions.get(key);
      if (!subscription) {
        await res.send(481, 'Subscription Does Not Exist');
        return;
      }
      const checked = subscription.dialog.receiveRequest(m);
      if (!checked.ok) {
        await res.send(checked.status, checked.reason);
        return;
      }
      this.#checkEvent(req);
      const expires = this.#expires(req);
      await res.send(200, 'OK', { headers: { Expires: [String(expires)] } });
      subscription.expiresAt = this.#o.clock.now() + expires * 1000;
      if (expires === 0) this.#drop(key, subscription);
      else this.#arm(subscription);
      await this.#notify(subscription, expires === 0);
    };
  }

  /** Ends every subscription (server shutdown), telling the devices. */
  async close(): Promise<void> {
    const all = [...this.#subscriptions.entries()];
    for (const [key, s] of all) this.#drop(key, s);
    await Promise.all(all.map(([, s]) => this.#notify(s, true).catch(() => undefined)));
  }

  #checkEvent(req: IncomingRequest): void {
    const event = (req.get('Event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (event !== 'message-summary')
      // RFC 6665 §4.2.1.2: an event package we do not serve.
      throw new SipError(489, 'Bad Event', { 'Allow-Events': ['message-summary'] });
  }

  #expires(req: IncomingRequest): number {
    const max = this.#o.maxExpires ?? 3600;
    const asked = Number.parseInt(getHeader(req.message, 'Expires') ?? String(max), 10);
    return Number.isFinite(asked) && asked >= 0 ? Math.min(asked, max) : max;
  }

  #arm(s: Subscription): void {
    if (s.timer !== undefined) this.#o.clock.clearTimeout(s.timer);
    const key = dialogKey(s.dialog.id);
    s.timer = this.#o.clock.setTimeout(
      () => {
        this.#drop(key, s);
        // RFC 6665 §4.2.2: the subscription ran out; say so.
        void this.#notify(s, true).catch(() => undefined);
      },
      Math.max(0, s.expiresAt - this.#o.clock.now()),
    );
  }

  #drop(key: string, s: Subscription): void {
    if (s.timer !== undefined) this.#o.clock.clearTimeout(s.timer);
    s.timer = undefined;
    this.#subscriptions.delete(key);
  }

  async #notify(s: Subscription, terminated: boolean): Promise<void> {
    const counts = (await this.#o.counts(s.number)) ?? { new: 0, saved: 0 };
    const remaining = Math.max(0, Math.round((s.expiresAt - this.#o.clock.now()) / 1000));
    const response = await this.#o.sip.requestInDialog(s.dialog, s.target, 'NOTIFY', {
      headers: {
        Event: ['message-summary'],
        'Subscription-State': [
          terminated ? 'terminated;reason=timeout' : `active;expires=${remaining}`,
        ],
        'Content-Type': ['application/simple-message-summary'],
      },
      body: messageSummary(this.#account(s.number), counts),
    });
    // RFC 6665 §4.1.3: the subscriber no longer knows the subscription.
    if (response.status === 481 || response.status === 408) this.#drop(dialogKey(s.dialog.id), s);
  }

  async #notifyHere(number: string): Promise<void> {
    const mine = [...this.#subscriptions.values()].filter((s) => s.number === number);
    await Promise.all(mine.map((s) => this.#notify(s, false)));
    const bindings = await this.#o.state.registrations.list(number);
    const unsolicited = bindings.filter(
      (b) =>
        b.serverId === this.#o.serverId &&
        b.events?.includes('message-summary') &&
        // A device that subscribed hears it through its subscription.
        !mine.some(
          (s) => s.target.address === b.flow.remoteAddress && s.target.port === b.flow.remotePort,
        ),
    );
    if (unsolicited.length === 0) return;
    const counts = (await this.#o.counts(number)) ?? { new: 0, saved: 0 };
    const account = parseUri(this.#account(number));
    if (!account) return;
    await Promise.all(
      unsolicited.map((b) =>
        this.#o.sip.request(bindingTarget(b), {
          method: 'NOTIFY',
          uri: b.contact,
          to: { uri: account, params: {} },
          headers: {
            Event: ['message-summary'],
            'Subscription-State': ['active'],
            'Content-Type': ['application/simple-message-summary'],
          },
          body: messageSummary(this.#account(number), counts),
        }),
      ),
    );
  }

  #account(number: string): string {
    return `sip:${number}@${this.#o.domain}`;
  }
}
