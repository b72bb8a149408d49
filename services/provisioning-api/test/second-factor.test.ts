// An account choosing its second factor (SPEC §4), and managing its API tokens.
import { generate } from 'otplib';
import { eachDialect, PASSWORD, sessionCookie } from './helpers/harness.ts';

const dialectTest = eachDialect();

dialectTest(
  'TOTP is switched on only with a code from the secret; later logins ask for it',
  async (t, h) => {
    const cookie = await h.login('user');
    const fresh = await h.request({
      method: 'GET',
      url: '/auth/second-factor/totp-secret',
      cookie,
    });
    t.is(fresh.statusCode, 200);
    const { secret, uri } = fresh.json<{ secret: string; uri: string }>();
    t.regex(uri, /^otpauth:\/\/totp\/.*secret=/);
    const epoch = Math.floor(h.clock.now() / 1000);
    const wrongCode = (Number(await generate({ secret, epoch })) + 1) % 1_000_000;
    const refused = await h.request({
      method: 'PUT',
      url: '/auth/second-factor',
      cookie,
      payload: {
        method: 'totp',
        password: PASSWORD,
        secret,
        code: String(wrongCode).padStart(6, '0'),
      },
    });
    t.is(refused.statusCode, 400);
    t.like(refused.json(), { field: 'code' });
    const badPassword = await h.request({
      method: 'PUT',
      url: '/auth/second-factor',
      cookie,
      payload: {
        method: 'totp',
        password: 'not-it-123',
        secret,
        code: await generate({ secret, epoch }),
      },
    });
    t.like(badPassword.json(), { field: 'password' });
    const set = await h.request({
      method: 'PUT',
      url: '/auth/second-factor',
      cookie,
      payload: {
        method: 'totp',
        password: PASSWORD,
        secret,
        code: await generate({ secret, epoch }),
      },
    });
    t.is(set.statusCode, 204, set.body);

    // The next login is pending until the code.
    const login = await h.request({
      method: 'POST',
      url: '/auth/login',
      payload: { login: 'user', password: PASSWORD },
    });
    t.like(login.json(), { secondFactorPending: 'totp' });
    const pending = sessionCookie(login);
    t.is((await h.request({ method: 'GET', url: '/auth/me', cookie: pending })).statusCode, 401);
    const code = await generate({ secret, epoch: Math.floor(h.clock.now() / 1000) });
    const done = await h.request({
      method: 'POST',
      url: '/auth/second-factor',
      cookie: pending,
      payload: { code },
    });
    t.is(done.statusCode, 200, done.body);
    t.is((await h.request({ method: 'GET', url: '/auth/me', cookie: pending })).statusCode, 200);

    // And off again.
    const off = await h.request({
      method: 'PUT',
      url: '/auth/second-factor',
      cookie: pending,
      payload: { method: 'none', password: PASSWORD },
    });
    t.is(off.statusCode, 204);
    const plain = await h.request({
      method: 'POST',
      url: '/auth/login',
      payload: { login: 'user', password: PASSWORD },
    });
    t.like(plain.json(), { secondFactorPending: null });
  },
);

dialectTest('codes by e-mail go to the address chosen', async (t, h) => {
  const cookie = await h.login('sa');
  const set = await h.request({
    method: 'PUT',
    url: '/auth/second-factor',
    cookie,
    payload: { method: 'mail', password: PASSWORD, email: 'sa@example.com' },
  });
  t.is(set.statusCode, 204, set.body);
  const login = await h.request({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'sa', password: PASSWORD },
  });
  t.like(login.json(), { secondFactorPending: 'mail' });
  const mails = await h.db
    .selectFrom('mail_queue')
    .select(['recipients', 'kind'])
    .where('kind', '=', 'login_code')
    .execute();
  t.deepEqual(
    mails.map((m) => JSON.parse(m.recipients) as string[]),
    [['sa@example.com']],
  );
});

dialectTest('API tokens are listed without their secret and can be revoked', async (t, h) => {
  const cookie = await h.login('ga');
  const made = await h.request({
    method: 'POST',
    url: '/auth/tokens',
    cookie,
    payload: { name: 'oss' },
  });
  const { id, token } = made.json<{ id: number; token: string }>();
  const bearer = { authorization: `Bearer ${token}` };
  t.is((await h.request({ method: 'GET', url: '/auth/me', headers: bearer })).statusCode, 200);
  const list = await h.request({ method: 'GET', url: '/auth/tokens', cookie });
  const tokens = list.json<Array<Record<string, unknown>>>();
  t.deepEqual(
    tokens.map((x) => x['name']),
    ['oss'],
  );
  t.false(JSON.stringify(tokens).includes(token), 'the token was shown again');
  const revoked = await h.request({ method: 'DELETE', url: `/auth/tokens/${id}`, cookie });
  t.is(revoked.statusCode, 204);
  t.is((await h.request({ method: 'GET', url: '/auth/me', headers: bearer })).statusCode, 401);
  const again = await h.request({ method: 'DELETE', url: `/auth/tokens/${id}`, cookie });
  t.is(again.statusCode, 404);
});
