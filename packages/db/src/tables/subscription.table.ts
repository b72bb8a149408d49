import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §3: features that need an operator subscription. */
export const subscriptionFeatures = [
  'bulk_forwarding',
  'special_number_forwarding',
  'hunt_group',
  'specific_number_presentation',
  'anonymous_rejection',
  'nuisance_blocking',
  'voicemail',
  'incoming_call_notice',
] as const;

export type SubscriptionFeature = (typeof subscriptionFeatures)[number];

/**
 * A subscription belongs to a number, except bulk forwarding which belongs to an
 * access line (SPEC §3.3). `operator_number` is the toll-free / navi-dial number
 * the operator fixes for special_number_forwarding (§3.4) and
 * specific_number_presentation (§3.6).
 */
export interface SubscriptionTable {
  id: Generated<number>;
  feature: SubscriptionFeature;
  number_id: number | null;
  access_line_id: number | null;
  operator_number: string | null;
  created_at: string;
  updated_at: string;
}

export type Subscription = Selectable<SubscriptionTable>;
export type NewSubscription = Insertable<SubscriptionTable>;
export type SubscriptionUpdate = Updateable<SubscriptionTable>;
