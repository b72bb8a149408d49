// SPEC §4 operator functions through the API: a whole subscriber model built route by route
// (SPEC §2), the provisioning file's rules on codes and numbers, and subscriptions written
// with their setting-history row and change notice.
import {
  findCredentialByUsername,
  findNumber,
  listSettingHistory,
  listSubscriptions,
} from '@ipvoice/db';
import { settingsChangedChannel } from '@ipvoice/state';
import { eachDialect, OPERATOR, type Harness } from './helpers/harness.ts';

const dialectTest = eachDialect();

async function asOperator(h: Harness) {
  const cookie = await h.login(OPERATOR.login);
  return (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    h.request({ method, url, cookie, ...(payload === undefined ? {} : { payload }) });
}

dialectTest(
  'a voice group, site, line, base and dial-in number made route by route',
  async (t, h) => {
    const op = await asOperator(h);
    const group = await op('PUT', '/voice-groups/VG00010', { name: 'Ten', timeZone: 'Asia/Tokyo' });
    t.is(group.statusCode, 200, group.body);
    t.like(group.json(), { outcome: 'created', code: 'VG00010', timeZone: 'Asia/Tokyo' });
    t.like((await op('PUT', '/voice-groups/VG00010', { name: 'Ten' })).json(), {
      outcome: 'unchanged',
    });
    t.like((await op('PUT', '/sites/3000001', { voiceGroup: 'VG00010', name: 'HQ' })).json(), {
      outcome: 'created',
      voiceGroup: 'VG00010',
    });
    const line = await op('PUT', '/access-lines/N000000010', {
      site: '3000001',
      channels: 3,
      subscriptions: ['bulk_forwarding'],
    });
    t.like(line.json(), { outcome: 'created', channels: 3, subscriptions: ['bulk_forwarding'] });
    t.like(
      (
        await op('PUT', '/numbers/03-5555-0010/provisioning', {
          kind: 'base',
          accessLine: 'N000000010',
        })
      ).json(),
      { outcome: 'created', number: '0355550010', kind: 'base' },
    );
    t.like(
      (
        await op('PUT', '/numbers/0355550011/provisioning', {
          kind: 'dial_in',
          accessLine: 'N000000010',
          baseNumber: '03-5555-0010',
        })
      ).json(),
      { outcome: 'created', kind: 'dial_in', baseNumber: '0355550010' },
    );
    const sip = await op('PUT', '/numbers/0355550010/sip-credentials', {
      username: 'hq0010',
      password: 'hq-secret-10',
    });
    t.is(sip.statusCode, 200, sip.body);
    t.false(sip.body.includes('hq-secret-10'), 'the password is never answered');
    t.like(await findCredentialByUsername(h.db, 'hq0010'), { number: '0355550010' });

    const shown = await op('GET', '/voice-groups/VG00010');
    t.deepEqual(shown.json(), {
      code: 'VG00010',
      name: 'Ten',
      timeZone: 'Asia/Tokyo',
      sites: [{ code: '3000001', name: 'HQ' }],
    });
    t.like(await findNumber(h.db, '0355550011'), {
      kind: 'dial_in',
      accessLineCode: 'N000000010',
      siteCode: '3000001',
      voiceGroupCode: 'VG00010',
    });

    t.is((await op('DELETE', '/numbers/0355550010/sip-credentials')).statusCode, 204);
    t.is(await findCredentialByUsername(h.db, 'hq0010'), undefined);
    t.is((await op('DELETE', '/numbers/0355550010/sip-credentials')).statusCode, 404);
  },
);

dialectTest('codes and numbers follow the provisioning rules', async (t, h) => {
  const op = await asOperator(h);
  const refused = async (
    method: 'PUT' | 'GET',
    url: string,
    payload: Record<string, unknown> | undefined,
    field: string,
    message: RegExp,
  ) => {
    const r = await op(method, url, payload);
    t.is(r.statusCode, 400, `${url}: ${r.body}`);
    t.is(r.json<{ field: string }>().field, field, url);
    t.regex(r.json<{ message: string }>().message, message, url);
  };
  await refused('PUT', '/voice-groups/G1', { name: 'x' }, 'code', /"VG" followed by 5 digits/);
  await refused(
    'PUT',
    '/voice-groups/VG00011',
    { name: 'x', timeZone: 'Mars/Olympus' },
    'timeZone',
    /IANA time zone/,
  );
  await refused('PUT', '/sites/12345', { voiceGroup: 'VG00001', name: 'x' }, 'site', /7 digits/);
  await refused(
    'PUT',
    '/sites/1234567',
    { voiceGroup: 'VG09999', name: 'x' },
    'voiceGroup',
    /unknown voice group VG09999/,
  );
  await refused(
    'PUT',
    '/access-lines/N12',
    { site: '1000001', channels: 2 },
    'code',
    /"N" followed by 9 digits/,
  );
  await refused(
    'PUT',
    '/access-lines/N000000011',
    { site: '1000001', channels: 0 },
    'channels',
    /at least 1 channel/,
  );
  await refused(
    'PUT',
    '/numbers/0120-12-34-56-78/provisioning',
    { kind: 'base', accessLine: 'N000000001' },
    'number',
    /at most 3 hyphens/,
  );
  await refused(
    'PUT',
    '/numbers/12345/provisioning',
    { kind: 'base', accessLine: 'N000000001' },
    'number',
    /a national number/,
  );
  await refused(
    'PUT',
    '/numbers/0312340000/provisioning',
    { kind: 'base', accessLine: 'N000000099' },
    'accessLine',
    /unknown access line/,
  );
  // SPEC §2: a dial-in hangs off a base number of its own access line.
  await refused(
    'PUT',
    '/numbers/0312340000/provisioning',
    { kind: 'dial_in', accessLine: 'N000000001', baseNumber: '0612345678' },
    'baseNumber',
    /not on access line N000000001/,
  );
  await refused(
    'PUT',
    '/numbers/0312340000/provisioning',
    { kind: 'dial_in', accessLine: 'N000000001' },
    'baseNumber',
    /expected string/,
  );
  const dialIn = await op('PUT', '/numbers/0312340000/provisioning', {
    kind: 'dial_in',
    accessLine: 'N000000001',
    baseNumber: '0312345678',
  });
  t.is(dialIn.statusCode, 200, dialIn.body);
  await refused(
    'PUT',
    '/numbers/0312340000/sip-credentials',
    { username: 'x', password: 'long-enough' },
    'number',
    /dial-in number/,
  );
  // A base number with dial-ins cannot become a dial-in itself.
  const moved = await op('PUT', '/numbers/0312345678/provisioning', {
    kind: 'dial_in',
    accessLine: 'N000000001',
    baseNumber: '0312345679',
  });
  t.is(moved.statusCode, 409, moved.body);
  t.regex(moved.json<{ message: string }>().message, /has dial-in numbers \(0312340000\)/);

  await op('PUT', '/numbers/0312345678/sip-credentials', {
    username: 'taken',
    password: 'long-enough',
  });
  const taken = await op('PUT', '/numbers/0312345679/sip-credentials', {
    username: 'taken',
    password: 'long-enough',
  });
  t.is(taken.statusCode, 409, taken.body);
  t.is((await op('GET', '/voice-groups/VG09999')).statusCode, 404);
  t.is(
    (
      await op('PUT', '/numbers/0399999999/sip-credentials', {
        username: 'y',
        password: 'long-enough',
      })
    ).statusCode,
    404,
  );
});

dialectTest(
  'subscriptions: replaced as a list, with a history row and a change notice',
  async (t, h) => {
    const op = await asOperator(h);
    const notices: string[] = [];
    await h.state.subscribe(settingsChangedChannel, (n) => notices.push(n));
    const n1 = h.tenant.n1;
    const put = (subscriptions: unknown[]) =>
      op('PUT', `/numbers/${n1.number}/subscriptions`, { subscriptions });

    const first = await put([
      'voicemail',
      { feature: 'specific_number_presentation', number: '0800-123-4567' },
    ]);
    t.is(first.statusCode, 200, first.body);
    t.deepEqual(first.json<{ subscriptions: unknown[] }>().subscriptions, [
      { feature: 'specific_number_presentation', number: '08001234567' },
      'voicemail',
    ]);
    t.deepEqual(
      (await listSubscriptions(h.db, { numberId: n1.id })).map((s) => s.feature),
      ['specific_number_presentation', 'voicemail'],
    );
    const second = await put(['anonymous_rejection']);
    t.deepEqual(second.json<{ subscriptions: unknown[] }>().subscriptions, ['anonymous_rejection']);
    await put(['anonymous_rejection']);

    const history = await listSettingHistory(h.db, { numberId: n1.id });
    t.is(history.length, 2, 'an unchanged list writes no row');
    t.like(history[0], {
      actor: OPERATOR.login,
      feature: 'subscriptions',
      action: 'update',
      after: ['anonymous_rejection'],
    });
    t.deepEqual(history[1]?.before, []);
    t.deepEqual(notices, [n1.number, n1.number]);

    const refused = async (subscriptions: unknown[], message: RegExp) => {
      const r = await put(subscriptions);
      t.is(r.statusCode, 400, r.body);
      t.regex(r.json<{ message: string }>().message, message);
    };
    await refused(['special_number_forwarding'], /needs the operator's number/);
    await refused(
      [{ feature: 'special_number_forwarding', number: '0312345678' }],
      /a toll-free or navi-dial number/,
    );
    await refused(['voicemail', 'voicemail'], /subscribed twice/);
    await refused(['bulk_forwarding'], /subscriptions/);
  },
);
