// SPEC §4: a site's setting history, within a period, only the site's own changes.
import { insertSettingHistory } from '@ipvoice/db';
import { eachDialect } from './helpers/harness.ts';

const dialectTest = eachDialect();

dialectTest(
  'a site admin reads its site’s changes within the period, newest first',
  async (t, h) => {
    const { s1, s2 } = h.tenant;
    const at = (iso: string) => new Date(iso);
    await insertSettingHistory(
      h.db,
      [{ siteId: s1.id, actor: 'a', feature: 'f', action: 'one' }],
      at('2026-01-01T00:00:00Z'),
    );
    await insertSettingHistory(
      h.db,
      [{ siteId: s1.id, actor: 'a', feature: 'f', action: 'two' }],
      at('2026-01-02T00:00:00Z'),
    );
    await insertSettingHistory(
      h.db,
      [{ siteId: s1.id, actor: 'a', feature: 'f', action: 'three' }],
      at('2026-01-03T00:00:00Z'),
    );
    await insertSettingHistory(
      h.db,
      [{ siteId: s2.id, actor: 'a', feature: 'f', action: 'elsewhere' }],
      at('2026-01-02T00:00:00Z'),
    );
    const cookie = await h.login('sa');
    const all = await h.request({ method: 'GET', url: `/sites/${s1.code}/history`, cookie });
    t.deepEqual(
      all.json<{ entries: Array<{ action: string }> }>().entries.map((e) => e.action),
      ['three', 'two', 'one'],
    );
    const period = await h.request({
      method: 'GET',
      url: `/sites/${s1.code}/history?from=2026-01-01T12:00:00Z&to=2026-01-02T00:00:00Z`,
      cookie,
    });
    t.deepEqual(
      period.json<{ entries: Array<{ action: string }> }>().entries.map((e) => e.action),
      ['two'],
    );
    const backwards = await h.request({
      method: 'GET',
      url: `/sites/${s1.code}/history?from=2026-01-03T00:00:00Z&to=2026-01-01T00:00:00Z`,
      cookie,
    });
    t.is(backwards.statusCode, 400);
    t.like(backwards.json(), { field: 'to' });
  },
);
