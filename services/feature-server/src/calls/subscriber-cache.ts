// What call routing reads from SQL about a local number, cached per process. A change made
// through the provisioning API or CLI publishes the changed numbers on the state store's
// `settings-changed` channel, and every feature server drops them, so the next call sees the
// change (ARCHITECTURE.md decision 3). The short TTL bounds staleness when no notice can
// arrive (a separate process writing the SQLite file of a memory-state server).
import {
  findForwardingSetting,
  findNumber,
  findNumberSetting,
  findScheduledForwarding,
  listStartedBulkMemberships,
  listSubscriptions,
  type Database,
  type Kysely,
  type NumberFacts,
} from '@ipvoice/db';
import {
  effectiveForwarding,
  type ForwardingSetting,
  type ForwardingSource,
} from '@ipvoice/features';
import type { Clock, Logger } from '@ipvoice/sip';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';

export { settingsChangedChannel };

/** A local number as routing needs it. Dial-ins carry their base number's settings. */
export interface Subscriber {
  /** The number itself (what was dialled). */
  number: NumberFacts;
  /** The base number whose devices ring and whose features apply (SPEC §2). */
  base: NumberFacts;
  /** The forwarding in force: bulk (§3.3) over the schedule's pattern (§3.2) over the
   * number's own setting (§3.1). */
  forwarding: ForwardingSetting | undefined;
  forwardingSource: ForwardingSource;
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
  /** Loads in flight: calls to one number arriving together share one read (an expired or
   * dropped entry would otherwise be read once per concurrent call). */
  readonly #loading = new Map<
    string,
    { generation: number; value: Promise<Subscriber | undefined> }
  >();

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
    // A base number's change also changes what its dial-ins route to. A notice may name a
    // thousand numbers (a bulk start): look them up in a set, not a list.
    const changed = new Set(numbers);
    for (const [key, entry] of this.#entries) {
      if (changed.has(key) || (entry.value && changed.has(entry.value.base.number)))
        this.#entries.delete(key);
    }
  }

  async get(number: string): Promise<Subscriber | undefined> {
    const now = this.#clock.now();
    const hit = this.#entries.get(number);
    if (hit && hit.expiresAt > now) return hit.value;
    const generation = this.#generation;
    const inFlight = this.#loading.get(number);
    if (inFlight && inFlight.generation === generation) return inFlight.value;
    const loading = this.#load(number);
    this.#loading.set(number, { generation, value: loading });
    try {
      const value = await loading;
      if (generation === this.#generation)
        this.#entries.set(number, { value, expiresAt: now + this.#ttlMs });
      return value;
    } finally {
      if (this.#loading.get(number)?.value === loading) this.#loading.delete(number);
    }
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
    const [own, subscriptions, barring, scheduled, bulk] = await Promise.all([
      findForwardingSetting(this.#db, base.id),
      listSubscriptions(this.#db, { numberId: base.id }),
      findNumberSetting(this.#db, base.id, 'international_barring'),
      findScheduledForwarding(this.#db, base.id),
      listStartedBulkMemberships(this.#db, [base.id]),
    ]);
    const effective = effectiveForwarding({
      own,
      ...(scheduled ? { scheduled: scheduled.setting } : {}),
      bulk:
        bulk.length > 0
          ? // A number in several started groups forwards to the first target recorded.
            { groupStarted: true, startTarget: bulk.find((b) => b.target)?.target ?? null }
          : { groupStarted: false },
    });
    return {
      number: facts,
      base,
      forwarding: effective.setting,
      forwardingSource: effective.source,
      subscriptions: new Set(subscriptions.map((s) => s.feature)),
      internationalBarring: barring?.enabled === true,
    };
  }
}
