import { randomUUID } from 'node:crypto';
import {
  systemClock,
  type Clock,
  type MessageHandler,
  type StateStore,
  type TimerHandle,
} from '../types.ts';
import { MemoryChannelStore, type ChannelTable } from './memory-channel-store.ts';
import { MemoryHuntRotation, type HuntPositionTable } from './memory-hunt-rotation.ts';
import { MemoryRegistrationStore, type BindingTable } from './memory-registration-store.ts';

interface HeldLock {
  token: string;
  timer: TimerHandle;
  waiters: (() => void)[];
  owner: string | undefined;
}

/**
 * What several MemoryStateStores may share: within one process they then see each other's
 * registrations, channel holds, hunt positions, locks and messages, as feature servers sharing
 * one Redis do.
 */
export class MemoryBackend {
  readonly bindings: BindingTable = new Map();
  readonly channelHolds: ChannelTable = new Map();
  readonly huntPositions: HuntPositionTable = new Map();
  readonly locks = new Map<string, HeldLock>();
  readonly channels = new Map<string, Set<MessageHandler>>();
}

export interface MemoryStateStoreOptions {
  clock?: Clock;
  backend?: MemoryBackend;
  /** Called when a subscriber's handler throws. */
  onError?: (err: unknown) => void;
  /** How often expired bindings, channel holds and hunt positions are swept out, in ms
   * (default 60 s). */
  sweepIntervalMs?: number;
}

/** The embedded default: all state in this process. */
export class MemoryStateStore implements StateStore {
  readonly registrations: MemoryRegistrationStore;
  readonly channels: MemoryChannelStore;
  readonly hunt: MemoryHuntRotation;
  readonly #backend: MemoryBackend;
  readonly #clock: Clock;
  readonly #onError: (err: unknown) => void;
  readonly #sweepIntervalMs: number;
  readonly #subscriptions = new Set<{ channel: string; handler: MessageHandler }>();
  #sweepTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#backend = options.backend ?? new MemoryBackend();
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => {});
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.registrations = new MemoryRegistrationStore(this.#backend.bindings, this.#clock);
    this.channels = new MemoryChannelStore(this.#backend.channelHolds, this.#clock);
    this.hunt = new MemoryHuntRotation(this.#backend.huntPositions, this.#clock);
    this.#scheduleSweep();
  }

  async withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const token = await this.#acquire(name, ttlMs);
    try {
      return await fn();
    } finally {
      this.#release(name, token);
    }
  }

  async tryLock(
    name: string,
    ttlMs: number,
    owner?: string,
  ): Promise<(() => Promise<void>) | undefined> {
    if (this.#backend.locks.has(name)) return undefined;
    const token = this.#take(name, ttlMs, owner);
    return async () => this.#release(name, token);
  }

  async lockOwner(name: string): Promise<string | undefined> {
    return this.#backend.locks.get(name)?.owner;
  }

  async publish(channel: string, message: string): Promise<void> {
    for (const handler of this.#backend.channels.get(channel) ?? []) {
      // Delivered later, never inside publish, as a Redis subscriber would see it.
      queueMicrotask(() => {
        try {
          handler(message);
        } catch (err) {
          this.#onError(err);
        }
      });
    }
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    // Each subscription gets its own wrapper so one handler may subscribe twice.
    const wrapper: MessageHandler = (m) => handler(m);
    let handlers = this.#backend.channels.get(channel);
    if (!handlers) this.#backend.channels.set(channel, (handlers = new Set()));
    handlers.add(wrapper);
    const sub = { channel, handler: wrapper };
    this.#subscriptions.add(sub);
    return async () => this.#unsubscribe(sub);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    for (const sub of [...this.#subscriptions]) this.#unsubscribe(sub);
  }

  #unsubscribe(sub: { channel: string; handler: MessageHandler }): void {
    this.#subscriptions.delete(sub);
    const handlers = this.#backend.channels.get(sub.channel);
    handlers?.delete(sub.handler);
    if (handlers?.size === 0) this.#backend.channels.delete(sub.channel);
  }

  async #acquire(name: string, ttlMs: number): Promise<string> {
    for (;;) {
      const held = this.#backend.locks.get(name);
      if (!held) return this.#take(name, ttlMs, undefined);
      await new Promise<void>((resolve) => held.waiters.push(resolve));
    }
  }

  /** Takes the free lock `name`; the caller has checked that it is free. */
  #take(name: string, ttlMs: number, owner: string | undefined): string {
    const token = randomUUID();
    // The lock lapses after ttlMs like a Redis PX key, so both drivers behave alike.
    const timer = this.#clock.setTimeout(() => this.#release(name, token), ttlMs);
    this.#backend.locks.set(name, { token, timer, waiters: [], owner });
    return token;
  }

  #release(name: string, token: string): void {
    const held = this.#backend.locks.get(name);
    // Only the holder releases: a lapsed holder must not free a lock someone else now has.
    if (!held || held.token !== token) return;
    this.#clock.clearTimeout(held.timer);
    this.#backend.locks.delete(name);
    for (const wake of held.waiters) wake();
  }

  #scheduleSweep(): void {
    this.#sweepTimer = this.#clock.setTimeout(() => {
      if (this.#closed) return;
      this.registrations.sweep();
      this.channels.sweep();
      this.hunt.sweep();
      this.#scheduleSweep();
    }, this.#sweepIntervalMs);
  }
}
