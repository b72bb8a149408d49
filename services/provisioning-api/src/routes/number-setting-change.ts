// The one way a per-number document setting changes through the API (SPEC §4): written in a
// transaction with its setting-history row (who, when, what, before, after), then announced
// to feature servers so the next call follows it. Routes for caller ID, screening, barring,
// voicemail settings… all go through here.
import {
  findNumberSetting,
  insertSettingHistory,
  listSubscriptions,
  upsertNumberSetting,
  type DocumentFeature,
  type Executor,
  type ForwardingSetting,
  type UpsertOutcome,
  type NumberFacts,
  type NumberSettingsDocuments,
  type Transaction,
  type Database,
} from '@ipvoice/db';
import { validateForwardingTarget } from '@ipvoice/features';
import { settingsChangedChannel } from '@ipvoice/state';
import type { ApiDeps } from '../api-deps.ts';
import type { Principal } from '../access.ts';

export interface NumberSettingChange<F extends DocumentFeature> {
  deps: ApiDeps;
  principal: Principal | undefined;
  number: NumberFacts;
  feature: F;
  /** The document as it is to be stored (validated by the caller). */
  after: NumberSettingsDocuments[F];
  now: Date;
  /** What the setting-history row records of a document (default: all of it); a secret such
   * as the voicemail PIN must never reach the history, which the API answers. */
  historyView?: (document: NumberSettingsDocuments[F]) => unknown;
  /** More writes in the same transaction when something changed (e.g. a confirmation mail
   * queued with `queueMail(trx, …)`); given the stored document before the change. */
  alsoInTransaction?: (
    trx: Transaction<Database>,
    before: NumberSettingsDocuments[F] | undefined,
  ) => Promise<void>;
}

/** One change of a number's settings as the API makes it (SPEC §4). */
export interface RecordedChange<Before> {
  deps: ApiDeps;
  principal: Principal | undefined;
  number: NumberFacts;
  /** The setting-history feature, e.g. 'forwarding', 'forwarding_schedule'. */
  feature: string;
  now: Date;
  /** Reads the stored value and writes the new one, in the transaction. */
  write(trx: Transaction<Database>): Promise<{ outcome: UpsertOutcome; before: Before }>;
  /** The history row's before and after (secrets left out). */
  history(before: Before): { before: unknown; after: unknown };
  /** Default: 'create' for a first value, else 'update'. */
  action?: string;
  /** More writes in the same transaction when something changed. */
  alsoInTransaction?: (trx: Transaction<Database>, before: Before) => Promise<void>;
}

/**
 * Writes a change with its setting-history row (who, when, what, before, after) in one
 * transaction, then announces the number to feature servers after the commit, so one that
 * reloads reads the new value. Resolves true when something changed; an unchanged value
 * writes no history and sends no notice.
 */
export async function recordChange<Before>(change: RecordedChange<Before>): Promise<boolean> {
  const { deps, number: n, now } = change;
  const changed = await deps.db.transaction().execute(async (trx) => {
    const { outcome, before } = await change.write(trx);
    if (outcome === 'unchanged') return false;
    await insertSettingHistory(
      trx,
      [
        {
          numberId: n.id,
          siteId: n.siteId,
          voiceGroupId: n.voiceGroupId,
          actor: change.principal?.account.login ?? 'api',
          feature: change.feature,
          action: change.action ?? (outcome === 'created' ? 'create' : 'update'),
          ...change.history(before),
        },
      ],
      now,
    );
    await change.alsoInTransaction?.(trx, before);
    return true;
  });
  if (changed) await deps.state.publish(settingsChangedChannel, n.number);
  return changed;
}

/** Stores the document; resolves true when it changed (history written, notice sent). */
export function changeNumberSetting<F extends DocumentFeature>(
  change: NumberSettingChange<F>,
): Promise<boolean> {
  const { number: n, feature, after, now } = change;
  const view = change.historyView ?? ((document: NumberSettingsDocuments[F]) => document);
  return recordChange({
    ...change,
    async write(trx) {
      const before = await findNumberSetting(trx, n.id, feature);
      return { outcome: await upsertNumberSetting(trx, n.id, feature, after, now), before };
    },
    history: (before) => ({
      before: before === undefined ? null : view(before),
      after: view(after),
    }),
  });
}

/** SPEC §3.1's validation context of a number: its own and its line's subscriptions (bulk
 * forwarding belongs to the line) and its international barring. */
export async function forwardingContext(
  db: Executor,
  n: NumberFacts,
): Promise<{ ownNumber: string; subscriptions: Set<string>; internationalBarring: boolean }> {
  const [own, line, barring] = await Promise.all([
    listSubscriptions(db, { numberId: n.id }),
    listSubscriptions(db, { accessLineId: n.accessLineId }),
    findNumberSetting(db, n.id, 'international_barring'),
  ]);
  return {
    ownNumber: n.number,
    subscriptions: new Set<string>([...own, ...line].map((s) => s.feature)),
    internationalBarring: barring?.enabled === true,
  };
}

/** Slots as stored: each number normalized (no hyphens), as validation accepts them. */
export function storedSlots(
  slots: ForwardingSetting['slots'],
  context: { ownNumber: string; internationalBarring: boolean },
): ForwardingSetting['slots'] {
  return slots.map((s) => {
    if (s === null) return null;
    const checked = validateForwardingTarget(s, context);
    return checked.ok ? checked.number : s;
  }) as ForwardingSetting['slots'];
}
