import type { Executor, UpsertOutcome } from '../executor.ts';
import type { Subscription, SubscriptionFeature } from '../tables/subscription.table.ts';
import { toTimestamp } from '../timestamp.ts';

/** Bulk forwarding is subscribed per access line; every other feature per number. */
export type SubscriptionOwner = { numberId: number } | { accessLineId: number };

export interface SubscriptionInput {
  feature: SubscriptionFeature;
  operatorNumber?: string | null;
}

export interface ReplaceResult {
  outcomes: UpsertOutcome[];
  removed: number;
}

export async function listSubscriptions(
  db: Executor,
  owner: SubscriptionOwner,
): Promise<Subscription[]> {
  const query = db.selectFrom('subscriptions').selectAll().orderBy('feature');
  return 'numberId' in owner
    ? query.where('number_id', '=', owner.numberId).execute()
    : query.where('access_line_id', '=', owner.accessLineId).execute();
}

export async function hasSubscription(
  db: Executor,
  numberId: number,
  feature: SubscriptionFeature,
): Promise<boolean> {
  const row = await db
    .selectFrom('subscriptions')
    .select('id')
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .executeTakeFirst();
  return row !== undefined;
}

/** Makes the owner's subscriptions exactly `wanted`: adds, updates, and removes the rest. */
export async function replaceSubscriptions(
  db: Executor,
  owner: SubscriptionOwner,
  wanted: SubscriptionInput[],
  now: Date,
): Promise<ReplaceResult> {
  const current = await listSubscriptions(db, owner);
  const outcomes: UpsertOutcome[] = [];
  for (const want of wanted) {
    const operatorNumber = want.operatorNumber ?? null;
    const existing = current.find((s) => s.feature === want.feature);
    if (existing === undefined) {
      await db
        .insertInto('subscriptions')
        .values({
          feature: want.feature,
          number_id: 'numberId' in owner ? owner.numberId : null,
          access_line_id: 'accessLineId' in owner ? owner.accessLineId : null,
          operator_number: operatorNumber,
          created_at: toTimestamp(now),
          updated_at: toTimestamp(now),
        })
        .execute();
      outcomes.push('created');
    } else if (existing.operator_number !== operatorNumber) {
      await db
        .updateTable('subscriptions')
        .set({ operator_number: operatorNumber, updated_at: toTimestamp(now) })
        .where('id', '=', existing.id)
        .execute();
      outcomes.push('updated');
    } else {
      outcomes.push('unchanged');
    }
  }
  const stale = current
    .filter((s) => !wanted.some((w) => w.feature === s.feature))
    .map((s) => s.id);
  if (stale.length > 0) await db.deleteFrom('subscriptions').where('id', 'in', stale).execute();
  return { outcomes, removed: stale.length };
}
