// What every `/numbers/:number/…` route needs of its number: the one the access check
// resolved, and the operator's subscription a feature's setting depends on.
import {
  listSubscriptions,
  type Executor,
  type NumberFacts,
  type Subscription,
  type SubscriptionFeature,
} from '@ipvoice/db';
import { ApiError } from '../api-error.ts';

/** The number `resolveTarget` found (a `number` route always has one). */
export function numberTarget(n: NumberFacts | undefined): NumberFacts {
  if (n === undefined) throw new Error('the access check resolves the number');
  return n;
}

/** The number's subscription to `feature`; 409 `not_subscribed` when it has none. */
export async function requireSubscription(
  db: Executor,
  n: NumberFacts,
  feature: SubscriptionFeature,
): Promise<Subscription> {
  const found = (await listSubscriptions(db, { numberId: n.id })).find(
    (s) => s.feature === feature,
  );
  if (found === undefined)
    throw new ApiError(409, 'not_subscribed', `${n.number} is not subscribed for ${feature}`);
  return found;
}
