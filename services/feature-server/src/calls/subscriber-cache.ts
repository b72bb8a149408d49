// What call routing reads from SQL about a local number, cached per process. A change made
// through the provisioning API or CLI publishes the changed numbers on the state store's
// `settings-changed` channel, and every feature server drops them, so the next call sees the
// change (ARCHITECTURE.md decision 3). The short TTL bounds staleness when no notice can
// arrive (a separate process writing the SQLite file of a memory-state server).
import {
  findForwardingSetting,
  findNumber,
  findNumberSetting,
  listSubscriptions,
  type Database,
  type Kysely,
  type NumberFacts,
} from '@ipvoice/db';
import type { ForwardingSetting } from '@ipvoice/features';
import type { Clock, Logger } from '@ipvoice/sip';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';

export { settingsChangedChannel };

/** A local number as routing needs it. Dial-ins carry their base number's settings. */
export interface Subscriber {
  /** The number itself (what was dialled). */
  number: NumberFacts;
  /** The base number whose devices ring and whose features apply (SPEC §2). */
  base: NumberFacts;
  forwarding: ForwardingSetting | undefined;
  subscriptions: ReadonlySet<string>;
  internationalBarring: boolean;
}

interface Entry {
  value: Subscriber | undefined;
  expiresAt: number;
}

export class SubscriberCache {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every invalidation, so a load that raced one is not cached. */
  #generation = 0;

  constructor(db: Kysely<Database>, clock: Clock, ttlMs = 5000) {
    this.#db = db;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Listens for change notices; resolves once subscribed. */
  async follow(state: StateStore, logger: Logger): Promise<() => Promise<void>> {
    return state.subscribe(settingsChangedChannel, (message) => {
      logger.debug({ message }, 'settings changed');
      this.invalidate(message === '*' ? undefined : message.split(','));
    });
  }

  /** Drops the given numbers (national digits), or everything. */
  invalidate(numbers?: readonly string[]): void {
    this.#generation++;
    if (!numbers) {
      this.#entries.clear();
      return;
    }
    // A base number's change also changes what its dial-ins route to.
    for (const [key, entry] of this.#entries) {
      if (numbers.includes(key) || (entry.value && numbers.includes(entry.value.base.number)))
        this.#entries.delete(key);
    }
  }

  async get(number: string): Promise<Subscriber | undefined> {
    const now = this.#clock.now();
    const hit = this.#entries.get(number);
    if (hit && hit.expiresAt > now) return hit.value;
    const generation = this.#generation;
    const value = await this.#load(number);
    if (generation === this.#generation)
      this.#entries.set(number, { value, expiresAt: now + this.#ttlMs });
    return value;
  }

  async #load(number: string): Promise<Subscriber | undefined> {
    const facts = await findNumber(this.#db, number);
    if (!facts) return undefined;
    let base = facts;
    if (facts.kind === 'dial_in' && facts.baseNumberId !== null) {
      const row = await this.#db
        .selectFrom('numbers')
        .select('number')
        .where('id', '=', facts.baseNumberId)
        .executeTakeFirst();
      const baseFacts = row ? await findNumber(this.#db, row.number) : undefined;
      if (baseFacts) base = baseFacts;
    }
    const [forwarding, subscriptions, barring] = await Promise.all([
      findForwardingSetting(this.#db, base.id),
      listSubscriptions(this.#db, { numberId: base.id }),
      findNumberSetting(this.#db, base.id, 'international_barring'),
    ]);
    return {
      number: facts,
      base,
      forwarding,
      subscriptions: new Set(subscriptions.map((s) => s.feature)),
      internationalBarring: barring?.enabled === true,
    };
  }
}
