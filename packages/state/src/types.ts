/** Where a REGISTER came from, so the device can be reached through its NAT later. */
export interface BindingFlow {
  protocol: string;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** Set for connection-oriented transports (TCP, TLS, WS); unique within one server. */
  connectionId?: string;
}

/** One Contact registered for an address of record (RFC 3261 §10.3). */
export interface Binding {
  aor: string;
  bindingId: string;
  contact: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  q?: number;
  callId: string;
  cseq: number;
  /** RFC 3327 Path header values, kept in order. */
  path: string[];
  flow: BindingFlow;
  /** RFC 5626 +sip.instance and reg-id. */
  instanceId?: string;
  regId?: number;
  userAgent?: string;
  /** RFC 6665 §8.2.2 Allow-Events of the REGISTER: event packages the device takes NOTIFYs
   * for without subscribing (e.g. message-summary, RFC 3842). */
  events?: string[];
  /** The feature server holding the flow. */
  serverId: string;
  registeredAt: number;
}

export interface RegistrationStore {
  /** Unexpired bindings of `aor`, in any order. */
  list(aor: string): Promise<Binding[]>;
  /** Inserts or replaces by (aor, bindingId); the binding disappears at `expiresAt`. */
  put(binding: Binding): Promise<void>;
  /** True when an unexpired binding was removed. */
  remove(aor: string, bindingId: string): Promise<boolean>;
  /** Removes every binding of `aor`; returns how many unexpired ones there were. */
  removeAll(aor: string): Promise<number>;
  /** Removes the bindings whose flow is the given connection (it died); returns them. */
  removeByConnection(serverId: string, connectionId: string): Promise<Binding[]>;
  /** Addresses of record with at least one unexpired binding. */
  countAors(): Promise<number>;
}

/**
 * Concurrent-call channels of access lines (SPEC §2: a call beyond the line's channel count is
 * busy), shared by every feature server. Each hold lapses at its expiry, so channels held by a
 * crashed server come back by themselves; a call that lasts longer refreshes its hold.
 */
export interface ChannelStore {
  /**
   * Takes one channel of `line` for `callId` unless `limit` are already held; true when the
   * call has its channel. Idempotent: a call that already holds one gets true again without
   * taking a second, and its hold lasts at least `ttlMs` from now.
   */
  acquire(line: string, callId: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Extends the call's hold to `ttlMs` from now; a hold that lapsed or was released stays gone. */
  refresh(line: string, callId: string, ttlMs: number): Promise<void>;
  /** Gives the call's channel back; releasing a channel not held is harmless. */
  release(line: string, callId: string): Promise<void>;
  /** Unexpired holds on `line`. */
  inUse(line: string): Promise<number>;
}

/**
 * Round-robin hunt groups (SPEC §3.5: "start from the member after the one that took the first
 * attempt of the previous call", state shared by every feature server). A group's position is
 * the member index that took the previous call's first attempt; it lapses after
 * `huntPositionTtlMs` without a claim or settle (the next call then starts at 0), so a deleted
 * group's position does not stay behind for ever.
 */
export interface HuntRotation {
  /** Claims where the next call to the group starts: the position after the one recorded for the
   * previous call (0 when none), modulo `size`; records the claimed position as the group's
   * current one, atomically, so concurrent calls (on any server) claim successive positions.
   * Throws RangeError unless `size` is an integer of at least 1. */
  claim(group: string, size: number): Promise<number>;
  /** The call that claimed `claimed` actually made its first attempt at `actual` (members before
   * it were skipped as busy/unreachable): records `actual` as the current position, but only if
   * the group's position is still `claimed` (no later call claimed meanwhile). Returns whether it
   * was recorded. */
  settle(group: string, claimed: number, actual: number): Promise<boolean>;
}

/** How long a hunt group's position outlives its last claim or settle: 30 days. */
export const huntPositionTtlMs = 30 * 24 * 3600_000;

/** Throws unless `size` can be a hunt group's member count. */
export function checkHuntSize(size: number): void {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`hunt group size must be an integer of at least 1, got ${size}`);
}

/** Throws unless `position` can be a member index. */
export function checkHuntPosition(name: string, position: number): void {
  if (!Number.isInteger(position) || position < 0)
    throw new RangeError(`hunt ${name} position must be a non-negative integer, got ${position}`);
}

export type MessageHandler = (message: string) => void;

export interface StateStore {
  registrations: RegistrationStore;
  channels: ChannelStore;
  hunt: HuntRotation;
  /**
   * Runs `fn` while holding the lock `name`, shared by every store on the same backend. The
   * lock lapses after `ttlMs` even if `fn` is still running, so a crashed holder cannot
   * block others forever; choose a ttl well above fn's expected duration.
   */
  withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Takes the lock `name` (the same locks as `withLock`) only if nobody holds it, without
   * waiting: the result releases it, or is undefined when it is held. It lapses after `ttlMs`
   * like `withLock`'s. `owner` (any text, e.g. who started what when) is kept with the lock
   * for `lockOwner`, so a refused caller can say who holds it.
   */
  tryLock(name: string, ttlMs: number, owner?: string): Promise<(() => Promise<void>) | undefined>;
  /** The `owner` given to `tryLock` by the current holder of `name`; undefined when the lock
   * is free or its holder gave none. */
  lockOwner(name: string): Promise<string | undefined>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the result unsubscribes this handler. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type TimerHandle = unknown;

/** The shape of @ipvoice/sip's Clock; repeated here so state does not depend on sip. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Pub/sub channel on which writers of per-number settings name the numbers they changed
 * (comma-separated, or `*` for all); feature servers drop those from their caches. */
export const settingsChangedChannel = 'settings-changed';

/** Pub/sub channel on which a voicemail box's base number is named when its messages change
 * (deposit, listened, deleted); feature servers send the message-waiting NOTIFYs (RFC 3842). */
export const messageWaitingChannel = 'message-waiting';
