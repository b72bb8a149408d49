// What call routing reads from SQL about a local number, cached per process. A change made
// through the provisioning API or CLI publishes the changed numbers on the state store's
// `settings-changed` channel, and every feature server drops them, so the next call sees the
// change (ARCHITECTURE.md decision 3). The short TTL bounds staleness when no notice can
// arrive (a separate process writing the SQLite file of a memory-state server).
import {
  findForwardingSetting,
  findHuntGroupByNumber,
  findNumber,
  findScheduledForwarding,
  listNumberSettings,
  listStartedBulkMemberships,
  listSubscriptions,
  type Database,
  type Kysely,
  type NumberFacts,
  type NumberSettingsDocuments,
} from '@ipvoice/db';
import {
  effectiveForwarding,
  normalizeNumber,
  type ForwardingSetting,
  type ForwardingSource,
  type HuntGroupPlan,
  type Presentation,
  type RestrictionCategory,
  type Screening,
  type SpecialForwarding,
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
  /** SPEC §3.7/§3.8, present only when subscribed. */
  screening: Screening | undefined;
  /** SPEC §3.4, present when subscribed. */
  specialForwarding: SpecialForwarding | undefined;
  /** SPEC §3.6/§3.10: what applies to the number's own calls. */
  outgoing: OutgoingSettings;
  /** SPEC §3.5: the hunt group the number pilots or belongs to. */
  hunt: HuntGroupView | undefined;
  /** SPEC §3.11, present when subscribed (defaults filled in). */
  voicemail: VoicemailSettings | undefined;
  /** SPEC §3.12, present when subscribed and set. */
  incomingCallNotice: NumberSettingsDocuments['incoming_call_notice'] | undefined;
}

export type VoicemailSettings = NumberSettingsDocuments['voicemail'];

/** SPEC §3.11 as a box is before its user changed anything. */
export const defaultVoicemail: VoicemailSettings = {
  guidance: 'record',
  greeting: 'system',
  maxMessages: 20,
  pin: null,
  notification: { addresses: [], condition: 'none', attachAudio: false },
};

export interface OutgoingSettings {
  presentation: Presentation;
  restrictions: readonly RestrictionCategory[];
  /** §3.6 specific number presentation, subscribed and on. */
  specificNumber?: string;
}

export interface HuntGroupView extends HuntGroupPlan {
  /** The state store's key for the group's round-robin position. */
  key: string;
  pilot: string;
  /** Members' outgoing caller ID (§3.5). */
  callerId: 'pilot' | 'individual';
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
    const [own, subscriptions, documents, scheduled, bulk, hunt] = await Promise.all([
      findForwardingSetting(this.#db, base.id),
      listSubscriptions(this.#db, { numberId: base.id }),
      listNumberSettings(this.#db, base.id),
      findScheduledForwarding(this.#db, base.id),
      listStartedBulkMemberships(this.#db, [base.id]),
      findHuntGroupByNumber(this.#db, base.id),
    ]);
    const subscribed = new Map(subscriptions.map((s) => [s.feature, s]));
    const operatorNumber = (
      feature: 'special_number_forwarding' | 'specific_number_presentation',
    ) => {
      const stored = subscribed.get(feature)?.operator_number;
      return stored ? (normalizeNumber(stored) ?? undefined) : undefined;
    };
    const special = documents.special_number_forwarding;
    const specialNumber = operatorNumber('special_number_forwarding');
    const specificNumber = operatorNumber('specific_number_presentation');
    const anonymousRejection = subscribed.has('anonymous_rejection');
    const nuisanceBlocking = subscribed.has('nuisance_blocking');
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
      subscriptions: new Set(subscribed.keys()),
      internationalBarring: documents.international_barring?.enabled === true,
      screening:
        anonymousRejection || nuisanceBlocking
          ? {
              // §3.7: on by default once subscribed.
              rejectAnonymous:
                anonymousRejection && documents.anonymous_rejection?.enabled !== false,
              blockedCallers: nuisanceBlocking
                ? (documents.nuisance_blocking?.entries ?? []).map((e) => e.number)
                : [],
            }
          : undefined,
      specialForwarding:
        special && specialNumber ? { ...special, number: specialNumber } : undefined,
      outgoing: {
        presentation: documents.caller_id?.presentation ?? 'present',
        restrictions: documents.outgoing_restriction?.categories ?? [],
        // §3.6: on by default once subscribed.
        ...(specificNumber && documents.specific_number_presentation?.enabled !== false
          ? { specificNumber }
          : {}),
      },
      hunt: hunt
        ? {
            key: String(hunt.id),
            pilot: hunt.pilot,
            mode: hunt.mode,
            numbers: [hunt.pilot, ...hunt.members],
            noAnswerSeconds: hunt.noAnswerSeconds,
            callerId: hunt.callerId,
          }
        : undefined,
      voicemail: subscribed.has('voicemail')
        ? { ...defaultVoicemail, ...documents.voicemail }
        : undefined,
      incomingCallNotice: subscribed.has('incoming_call_notice')
        ? documents.incoming_call_notice
        : undefined,
    };
  }
}
