import type { Binding, Clock, RegistrationStore } from '../types.ts';

export type BindingTable = Map<string, Map<string, Binding>>;

/**
 * Registrations in a Map. Expiry is decided by the injected clock on every read, and
 * expired entries are pruned on writes and by `sweep`, so a FakeClock controls it fully.
 */
export class MemoryRegistrationStore implements RegistrationStore {
  readonly #table: BindingTable;
  readonly #clock: Clock;
  /** (serverId, connectionId) → the bindings over that connection, so a closed connection
   * does not scan every registration. Kept per table: stores may share one. */
  readonly #byConnection: Map<string, Set<string>>;

  constructor(table: BindingTable, clock: Clock) {
    this.#table = table;
    this.#clock = clock;
    let index = connectionIndexes.get(table);
    if (!index) connectionIndexes.set(table, (index = new Map()));
    this.#byConnection = index;
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
    const old = bindings.get(binding.bindingId);
    if (old) this.#unindex(old);
    // Copied so later changes to the caller's object do not reach the store, as with Redis.
    bindings.set(binding.bindingId, copyBinding(binding));
    this.#index(binding);
    this.#prune(binding.aor, this.#clock.now());
  }

  async remove(aor: string, bindingId: string): Promise<boolean> {
    const bindings = this.#table.get(aor);
    const b = bindings?.get(bindingId);
    if (!bindings || !b) return false;
    bindings.delete(bindingId);
    this.#unindex(b);
    if (bindings.size === 0) this.#table.delete(aor);
    return b.expiresAt > this.#clock.now();
  }

  async removeAll(aor: string): Promise<number> {
    const live = (await this.list(aor)).length;
    for (const b of this.#table.get(aor)?.values() ?? []) this.#unindex(b);
    this.#table.delete(aor);
    return live;
  }

  async removeByConnection(serverId: string, connectionId: string): Promise<Binding[]> {
    const now = this.#clock.now();
    const removed: Binding[] = [];
    const refs = this.#byConnection.get(connectionKey(serverId, connectionId));
    for (const ref of refs ?? []) {
      const [aor = '', bindingId = ''] = ref.split('\u0000');
      const bindings = this.#table.get(aor);
      const b = bindings?.get(bindingId);
      if (!bindings || !b) continue;
      bindings.delete(bindingId);
      if (bindings.size === 0) this.#table.delete(aor);
      if (b.expiresAt > now) removed.push(b);
    }
    this.#byConnection.delete(connectionKey(serverId, connectionId));
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
    for (const [id, b] of bindings) {
      if (b.expiresAt > now) continue;
      bindings.delete(id);
      this.#unindex(b);
    }
    if (bindings.size === 0) this.#table.delete(aor);
  }

  #index(b: Binding): void {
    if (b.flow.connectionId === undefined) return;
    const key = connectionKey(b.serverId, b.flow.connectionId);
    let refs = this.#byConnection.get(key);
    if (!refs) this.#byConnection.set(key, (refs = new Set()));
    refs.add(bindingRef(b));
  }

  #unindex(b: Binding): void {
    if (b.flow.connectionId === undefined) return;
    const key = connectionKey(b.serverId, b.flow.connectionId);
    const refs = this.#byConnection.get(key);
    if (!refs) return;
    refs.delete(bindingRef(b));
    if (refs.size === 0) this.#byConnection.delete(key);
  }
}

const connectionIndexes = new WeakMap<BindingTable, Map<string, Set<string>>>();

function connectionKey(serverId: string, connectionId: string): string {
  return `${serverId}\u0000${connectionId}`;
}

function bindingRef(b: Binding): string {
  return `${b.aor}\u0000${b.bindingId}`;
}

/** A copy deep enough that neither side can change the other's (Binding's only nested
 * values are `flow` and `path`); much cheaper than structuredClone on the REGISTER path. */
function copyBinding(b: Binding): Binding {
  return { ...b, flow: { ...b.flow }, path: [...b.path] };
}
