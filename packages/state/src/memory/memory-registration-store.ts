import type { Binding, Clock, RegistrationStore } from '../types.ts';

export type BindingTable = Map<string, Map<string, Binding>>;

/**
 * Registrations in a Map. Expiry is decided by the injected clock on every read, and
 * expired entries are pruned on writes and by `sweep`, so a FakeClock controls it fully.
 */
export class MemoryRegistrationStore implements RegistrationStore {
  readonly #table: BindingTable;
  readonly #clock: Clock;

  constructor(table: BindingTable, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
  }

  async list(aor: string): Promise<Binding[]> {
    const now = this.#clock.now();
    return [...(this.#table.get(aor)?.values() ?? [])]
      .filter((b) => b.expiresAt > now)
      .map(copyBinding);
  }

  async put(binding: Binding): Promise<void> {
    let bindings = this.#table.get(binding.aor);
    if (!bindings) this.#table.set(binding.aor, (bindings = new Map()));
    // Copied so later changes to the caller's object do not reach the store, as with Redis.
    bindings.set(binding.bindingId, copyBinding(binding));
    this.#prune(binding.aor, this.#clock.now());
  }

  async remove(aor: string, bindingId: string): Promise<boolean> {
    const bindings = this.#table.get(aor);
    const b = bindings?.get(bindingId);
    if (!bindings || !b) return false;
    bindings.delete(bindingId);
    if (bindings.size === 0) this.#table.delete(aor);
    return b.expiresAt > this.#clock.now();
  }

  async removeAll(aor: string): Promise<number> {
    const live = (await this.list(aor)).length;
    this.#table.delete(aor);
    return live;
  }

  async removeByConnection(serverId: string, connectionId: string): Promise<Binding[]> {
    const now = this.#clock.now();
    const removed: Binding[] = [];
    for (const [aor, bindings] of this.#table) {
      for (const [id, b] of bindings) {
        if (b.serverId !== serverId || b.flow.connectionId !== connectionId) continue;
        bindings.delete(id);
        if (b.expiresAt > now) removed.push(b);
      }
      if (bindings.size === 0) this.#table.delete(aor);
    }
    return removed;
  }

  async countAors(): Promise<number> {
    this.sweep();
    return this.#table.size;
  }

  /** Drops every expired binding. */
  sweep(): void {
    const now = this.#clock.now();
    for (const aor of [...this.#table.keys()]) this.#prune(aor, now);
  }

  #prune(aor: string, now: number): void {
    const bindings = this.#table.get(aor);
    if (!bindings) return;
    for (const [id, b] of bindings) if (b.expiresAt <= now) bindings.delete(id);
    if (bindings.size === 0) this.#table.delete(aor);
  }
}

/** A copy deep enough that neither side can change the other's (Binding's only nested
 * values are `flow` and `path`); much cheaper than structuredClone on the REGISTER path. */
function copyBinding(b: Binding): Binding {
  return { ...b, flow: { ...b.flow }, path: [...b.path] };
}
