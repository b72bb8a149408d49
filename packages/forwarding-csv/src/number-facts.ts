import type { Executor } from '@ipvoice/db';

/** What the upload needs to know of one number before validating its row. */
export interface NumberFacts {
  id: number;
  number: string;
  siteId: number;
  voiceGroupId: number;
  /** Number-level subscriptions plus its access line's (bulk forwarding). */
  subscriptions: Set<string>;
  internationalBarring: boolean;
}

/** Keeps each IN list well below either dialect's bind-parameter limit. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The facts of each listed number that exists, by its national digits; a few queries per 1,000. */
export async function loadNumberFacts(
  db: Executor,
  by: { numbers: readonly string[] } | { ids: readonly number[] },
): Promise<Map<string, NumberFacts>> {
  const facts = new Map<string, NumberFacts>();
  const keys: ReadonlyArray<string | number> = 'numbers' in by ? by.numbers : by.ids;
  for (const part of chunks([...new Set<string | number>(keys)])) {
    const base = db
      .selectFrom('numbers as n')
      .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
      .innerJoin('sites as s', 's.id', 'a.site_id')
      .select([
        'n.id',
        'n.number',
        'n.access_line_id as accessLineId',
        's.id as siteId',
        's.voice_group_id as voiceGroupId',
      ]);
    const rows = await (
      'numbers' in by
        ? base.where('n.number', 'in', part as string[])
        : base.where('n.id', 'in', part as number[])
    ).execute();
    if (rows.length === 0) continue;
    const ids = rows.map((r) => r.id);
    const lineIds = [...new Set(rows.map((r) => r.accessLineId))];
    const subscriptions = await db
      .selectFrom('subscriptions')
      .select(['feature', 'number_id', 'access_line_id'])
      .where((eb) => eb.or([eb('number_id', 'in', ids), eb('access_line_id', 'in', lineIds)]))
      .execute();
    const barring = await db
      .selectFrom('number_settings')
      .select(['number_id', 'settings'])
      .where('feature', '=', 'international_barring')
      .where('number_id', 'in', ids)
      .execute();
    const barred = new Set(
      barring
        .filter((b) => (JSON.parse(b.settings) as { enabled?: boolean }).enabled === true)
        .map((b) => b.number_id),
    );
    for (const r of rows) {
      facts.set(r.number, {
        id: r.id,
        number: r.number,
        siteId: r.siteId,
        voiceGroupId: r.voiceGroupId,
        subscriptions: new Set(
          subscriptions
            .filter((s) => s.number_id === r.id || s.access_line_id === r.accessLineId)
            .map((s) => s.feature),
        ),
        internationalBarring: barred.has(r.id),
      });
    }
  }
  return facts;
}
