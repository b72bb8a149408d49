import type { Executor, UpsertOutcome } from '../executor.ts';
import type { DocumentFeature } from '../tables/number-setting.table.ts';
import { toTimestamp } from '../timestamp.ts';

/**
 * The JSON documents of `number_settings`, one type per feature. They are
 * validated at the edge (provisioning's zod schema, later the REST API) before
 * they reach this repository.
 */
export interface NumberSettingsDocuments {
  /** SPEC §3.4: the target itself is the subscription's operator number. */
  special_number_forwarding: {
    enabled: boolean;
    unconditional: boolean;
    onBusy: boolean;
    onNoAnswer: boolean;
    onUnreachable: boolean;
    ringTimeSeconds: number;
  };
  /** SPEC §3.6 */
  caller_id: { presentation: 'present' | 'withhold' };
  specific_number_presentation: { enabled: boolean };
  /** SPEC §3.7 */
  anonymous_rejection: { enabled: boolean };
  /** SPEC §3.8: up to 30 callers, each with its registration time. */
  nuisance_blocking: { entries: Array<{ number: string; registeredAt: string }> };
  /** SPEC §3.9 */
  international_barring: { enabled: boolean };
  /** SPEC §3.10 */
  outgoing_restriction: {
    categories: Array<
      'international' | 'premium_rate_0990' | 'navi_dial_0570' | 'all_except_emergency'
    >;
  };
  /** SPEC §3.11 */
  voicemail: {
    guidance: 'record' | 'announce_only';
    greeting: 'system' | 'custom';
    maxMessages: number;
    pin: string | null;
    notification: {
      addresses: string[];
      condition: 'none' | 'on_call' | 'on_recording';
      attachAudio: boolean;
    };
  };
  /** SPEC §3.12 */
  incoming_call_notice: {
    enabled: boolean;
    addresses: Array<{ address: string; send: boolean }>;
    callers: 'all' | 'listed';
    callerList: string[];
    calls: 'all' | 'unanswered';
  };
}

/** JSON with object keys sorted, so equal documents compare equal as text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export async function findNumberSetting<F extends DocumentFeature>(
  db: Executor,
  numberId: number,
  feature: F,
): Promise<NumberSettingsDocuments[F] | undefined> {
  const row = await db
    .selectFrom('number_settings')
    .select('settings')
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.settings) as NumberSettingsDocuments[F]);
}

export async function listNumberSettings(
  db: Executor,
  numberId: number,
): Promise<Partial<NumberSettingsDocuments>> {
  const rows = await db
    .selectFrom('number_settings')
    .select(['feature', 'settings'])
    .where('number_id', '=', numberId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.feature, JSON.parse(r.settings) as unknown]));
}

export async function upsertNumberSetting<F extends DocumentFeature>(
  db: Executor,
  numberId: number,
  feature: F,
  settings: NumberSettingsDocuments[F],
  now: Date,
): Promise<UpsertOutcome> {
  const text = canonicalJson(settings);
  const current = await db
    .selectFrom('number_settings')
    .select('settings')
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .executeTakeFirst();
  if (current === undefined) {
    await db
      .insertInto('number_settings')
      .values({ number_id: numberId, feature, settings: text, updated_at: toTimestamp(now) })
      .execute();
    return 'created';
  }
  if (canonicalJson(JSON.parse(current.settings)) === text) return 'unchanged';
  await db
    .updateTable('number_settings')
    .set({ settings: text, updated_at: toTimestamp(now) })
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .execute();
  return 'updated';
}

export async function deleteNumberSetting(
  db: Executor,
  numberId: number,
  feature: DocumentFeature,
): Promise<boolean> {
  const result = await db
    .deleteFrom('number_settings')
    .where('number_id', '=', numberId)
    .where('feature', '=', feature)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
