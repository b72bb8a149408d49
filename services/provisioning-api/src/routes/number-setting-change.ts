// The one way a per-number document setting changes through the API (SPEC §4): written in a
// transaction with its setting-history row (who, when, what, before, after), then announced
// to feature servers so the next call follows it. Routes for caller ID, screening, barring,
// voicemail settings… all go through here.
import {
  findNumberSetting,
  insertSettingHistory,
  upsertNumberSetting,
  type DocumentFeature,
  type NumberFacts,
  type NumberSettingsDocuments,
  type Transaction,
  type Database,
} from '@ipvoice/db';
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

/** Stores the document; resolves true when it changed (history written, notice sent). */
export async function changeNumberSetting<F extends DocumentFeature>(
  change: NumberSettingChange<F>,
): Promise<boolean> {
  const { deps, number: n, feature, after, now } = change;
  const view = change.historyView ?? ((document: NumberSettingsDocuments[F]) => document);
  const changed = await deps.db.transaction().execute(async (trx) => {
    const before = await findNumberSetting(trx, n.id, feature);
    const outcome = await upsertNumberSetting(trx, n.id, feature, after, now);
    if (outcome === 'unchanged') return false;
    await insertSettingHistory(
      trx,
      [
        {
          numberId: n.id,
          siteId: n.siteId,
          voiceGroupId: n.voiceGroupId,
          actor: change.principal?.account.login ?? 'api',
          feature,
          action: outcome === 'created' ? 'create' : 'update',
          before: before === undefined ? null : view(before),
          after: view(after),
        },
      ],
      now,
    );
    await change.alsoInTransaction?.(trx, before);
    return true;
  });
  // After the commit, so a feature server that reloads reads the new setting.
  if (changed) await deps.state.publish(settingsChangedChannel, n.number);
  return changed;
}
