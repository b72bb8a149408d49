// SIP credentials read from SQL, kept briefly in memory: every REGISTER refresh needs them
// and the database is not on the hot path of a registration storm. A password change
// takes effect within `ttlMs`.
// When the provisioning API arrives it should also drop entries on its change notifications.
import type { Clock } from '@ipvoice/sip';

export interface CachedCredential {
  username: string;
  password: string;
  number: string;
}

interface Entry {
  value: CachedCredential | undefined;
  until: number;
}

export class CredentialCache {
  readonly #load: (username: string) => Promise<CachedCredential | undefined>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();

  constructor(
    load: (username: string) => Promise<CachedCredential | undefined>,
    clock: Clock,
    { ttlMs = 5000, maxEntries = 100_000 } = {},
  ) {
    this.#load = load;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  async get(username: string): Promise<CachedCredential | undefined> {
    const now = this.#clock.now();
    const hit = this.#entries.get(username);
    if (hit && hit.until > now) return hit.value;
    const row = await this.#load(username);
    const value = row && { username: row.username, password: row.password, number: row.number };
    if (this.#entries.size >= this.#maxEntries)
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.delete(username);
    this.#entries.set(username, { value, until: now + this.#ttlMs });
    return value;
  }
}
