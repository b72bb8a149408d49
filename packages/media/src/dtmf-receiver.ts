// DTMF digits from RFC 4733 telephone-event RTP packets. One key press is one event, sent as
// several packets sharing an RTP timestamp (start, updates, then the end packet repeated), so
// the timestamp is what tells one press from the next.
import type { MediaClock, TimerHandle } from './clock.ts';

/** RFC 4733 §3.2, table 7: events 0-15 in order. */
export const dtmfDigits = '0123456789*#ABCD';

/** An event whose end packets were all lost is reported after this long without a packet. */
export const UNENDED_EVENT_MS = 500;
/** Reported events remembered, so late retransmissions of their end are not new presses. */
const REMEMBERED_EVENTS = 16;
/** A packet with a reported event's timestamp this long after that event's last packet is a
 * new press: a sender that does not move its timestamp on between presses (a replayed capture,
 * some gateways) would otherwise be heard once. End retransmissions come within ~50 ms. */
export const RETRANSMISSION_WINDOW_MS = 1000;

export interface DtmfReceiverParams {
  clock: MediaClock;
  /** Called once per event with its digit ('0'-'9', '*', '#', 'A'-'D'). */
  report: (digit: string) => void;
}

interface PendingEvent {
  timestamp: number;
  digit: string;
  timer: TimerHandle | undefined;
}

export class DtmfReceiver {
  readonly #clock: MediaClock;
  readonly #report: (digit: string) => void;
  #pending: PendingEvent | undefined;
  readonly #reported: Array<{ timestamp: number; lastSeen: number }> = [];
  #closed = false;

  constructor(p: DtmfReceiverParams) {
    this.#clock = p.clock;
    this.#report = p.report;
  }

  /** One telephone-event packet: its RTP timestamp and payload. */
  receive(timestamp: number, payload: Buffer): void {
    if (this.#closed) return;
    // RFC 4733 §2.3: event (8 bits), E, R, volume (6 bits), duration (16 bits).
    if (payload.length < 4) return;
    const digit = dtmfDigits[payload[0] as number];
    if (digit === undefined) return; // events above 15 (flash, tones) are not DTMF
    const end = ((payload[1] as number) & 0x80) !== 0;
    // RFC 4733 §2.5.1.4: the end packet is sent three times; the event was reported already.
    const now = this.#clock.now();
    const seen = this.#reported.findIndex((r) => r.timestamp === timestamp);
    const reported = this.#reported[seen];
    if (reported) {
      if (now - reported.lastSeen < RETRANSMISSION_WINDOW_MS) {
        reported.lastSeen = now;
        return;
      }
      this.#reported.splice(seen, 1);
    }

    const pending = this.#pending;
    if (pending && pending.timestamp !== timestamp) {
      // RFC 3550 §5.1: timestamps wrap; "later" is less than half the number space ahead.
      const later = (timestamp - pending.timestamp) >>> 0 < 2 ** 31;
      if (!later) return; // a straggler from before the event under way
      // RFC 4733 §2.5.2: a new event begins, so the previous one, whose end was lost, is over.
      this.#finish(pending);
    }
    let event = this.#pending;
    if (!event) {
      event = { timestamp, digit, timer: undefined };
      this.#pending = event;
    }
    if (end) {
      this.#finish(event);
      return;
    }
    // RFC 4733 §2.5.2: without an end packet the receiver ends the event itself after a
    // while; the sender's updates (every 50 ms or so) keep a long press alive.
    if (event.timer !== undefined) this.#clock.clearTimeout(event.timer);
    event.timer = this.#clock.setTimeout(() => this.#finish(event), UNENDED_EVENT_MS);
  }

  close(): void {
    this.#closed = true;
    if (this.#pending?.timer !== undefined) this.#clock.clearTimeout(this.#pending.timer);
    this.#pending = undefined;
  }

  #finish(event: PendingEvent): void {
    if (event.timer !== undefined) this.#clock.clearTimeout(event.timer);
    event.timer = undefined;
    if (this.#pending === event) this.#pending = undefined;
    this.#reported.push({ timestamp: event.timestamp, lastSeen: this.#clock.now() });
    if (this.#reported.length > REMEMBERED_EVENTS) this.#reported.shift();
    this.#report(event.digit);
  }
}
