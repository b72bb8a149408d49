import { findLoginCode, listMails } from '@ipvoice/db';
import { passwordMessages } from '@ipvoice/features';
import { generate } from 'otplib';
import { eachDialect, PASSWORD, sessionCookie } from './helpers/harness.ts';

const dialectTest = eachDialect();
const minutes = (n: number) => n * 60_000;

dialectTest('login sets an HttpOnly, Secure, SameSite=Strict session cookie', async (t, h) => {
  const r = await h.request({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'sa', password: PASSWORD },
  });
  t.is(r.statusCode, 200);
  const header = String(r.headers['set-cookie']);
  t.regex(header, /^ipvoice_session=[A-Za-z0-9_-]{43};/);
  t.regex(header, /HttpOnly/);
  t.regex(header, /Secure/);
  t.regex(header, /SameSite=Strict/);
  t.like(r.json(), { account: { login: 'sa', role: 'site_admin' }, secondFactorPending: null });
  const me = await h.request({ method: 'GET', url: '/auth/me', cookie: sessionCookie(r) });
  t.like(me.json(), { account: { login: 'sa' }, via: 'session' });
  // Only the token's hash is stored.
  const token = sessionCookie(r).split('=')[1] ?? '';
  const stored = await h.db.selectFrom('sessions').select('id').execute();
  t.false(stored.some((s) => s.id === token));
  t.is(stored[0]?.id.length, 64);
});

dialectTest('three wrong passwords lock the account for 15 minutes', async (t, h) => {
  const attempt = (password: string) =>
    h.request({ method: 'POST', url: '/auth/login', payload: { login: 'user', password } });
  const first = await attempt('wrong0000');
  t.is(first.statusCode, 401);
  t.deepEqual(first.json(), { error: 'unauthorized', message: 'wrong login or password' });
  t.is((await attempt('wrong0000')).statusCode, 401);
  const third = await attempt('wrong0000');
  t.is(third.statusCode, 423);
  const until = new Date(h.clock.now() + minutes(15)).toISOString();
  t.deepEqual(third.json(), {
    error: 'locked',
    message: `the account is locked until ${until} after 3 failed logins; wait, or ask an administrator to unlock it`,
  });
  // Still locked with the right password.
  h.clock.advance(minutes(14));
  const right = await attempt(PASSWORD);
  t.is(right.statusCode, 423);
  t.regex(right.json<{ message: string }>().message, new RegExp(`locked until ${until}`));
  // The lock runs out.
  h.clock.advance(minutes(1));
  t.is((await attempt(PASSWORD)).statusCode, 200);
});

dialectTest('an administrator in scope unlocks a locked account', async (t, h) => {
  for (let i = 0; i < 3; i++) {
    await h.request({
      method: 'POST',
      url: '/auth/login',
      payload: { login: 'user', password: 'nope12345' },
    });
  }
  const user = await h.account('user');
  t.truthy(user.locked_until);
  const sa = await h.login('sa');
  const unlock = await h.request({
    method: 'POST',
    url: `/accounts/${user.id}/unlock`,
    cookie: sa,
  });
  t.is(unlock.statusCode, 204);
  t.is((await h.account('user')).locked_until, null);
  await t.notThrowsAsync(h.login('user'));
});

dialectTest('unknown logins are answered like wrong passwords and lock nothing', async (t, h) => {
  const r = await h.request({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'nobody', password: PASSWORD },
  });
  t.is(r.statusCode, 401);
  t.deepEqual(r.json(), { error: 'unauthorized', message: 'wrong login or password' });
});

dialectTest('a session ends after 30 minutes without a request (sliding)', async (t, h) => {
  const cookie = await h.login('ga');
  const me = () => h.request({ method: 'GET', url: '/auth/me', cookie });
  h.clock.advance(minutes(29));
  t.is((await me()).statusCode, 200);
  h.clock.advance(minutes(29)); // 58 minutes after login, 29 after the last request
  t.is((await me()).statusCode, 200);
  h.clock.advance(minutes(31));
  const expired = await me();
  t.is(expired.statusCode, 401);
  t.deepEqual(expired.json(), {
    error: 'unauthorized',
    message: 'the session ended after 30 minutes without a request; log in again',
  });
  t.is((await me()).statusCode, 401);
});

dialectTest('logout ends the session', async (t, h) => {
  const cookie = await h.login('ga');
  t.is((await h.request({ method: 'POST', url: '/auth/logout', cookie })).statusCode, 204);
  t.is((await h.request({ method: 'GET', url: '/auth/me', cookie })).statusCode, 401);
});

dialectTest('TOTP second factor: pending until the right code', async (t, h) => {
  const op = await h.login('op');
  const created = await h.request({
    method: 'POST',
    url: '/accounts',
    cookie: op,
    payload: {
      login: 'totp-admin',
      password: 'abcd1234',
      role: 'site_admin',
      site: '1000001',
      secondFactor: 'totp',
    },
  });
  t.is(created.statusCode, 201, created.body);
  const { totpSecret, totpUri } = created.json<{ totpSecret: string; totpUri: string }>();
  t.regex(totpUri, /^otpauth:\/\/totp\//);
  const login = await h.request({
    method: 'POST',
    url: '/auth/login',
    payload: { login: 'totp-admin', password: 'abcd1234' },
  });
  t.like(login.json(), { secondFactorPending: 'totp' });
  const cookie = sessionCookie(login);
  const blocked = await h.request({ method: 'GET', url: '/numbers/0312345678', cookie });
  t.is(blocked.statusCode, 401);
  t.is(blocked.json<{ error: string }>().error, 'second_factor_required');
  const wrong = await h.request({
    method: 'POST',
    url: '/auth/second-factor',
    cookie,
    payload: { code: '000000' },
  });
  t.is(wrong.statusCode, 401);
  const code = await generate({ secret: totpSecret, epoch: Math.floor(h.clock.now() / 1000) });
  const right = await h.request({
    method: 'POST',
    url: '/auth/second-factor',
    cookie,
    payload: { code },
  });
  t.is(right.statusCode, 200, right.body);
  t.is((await h.request({ method: 'GET', url: '/numbers/0312345678', cookie })).statusCode, 200);
});

dialectTest('mail second factor: a 6-digit code queued by mail, valid 10 minutes', async (t, h) => {
  const ga = await h.login('ga');
  const created = await h.request({
    method: 'POST',
    url: '/accounts',
    cookie: ga,
    payload: {
      login: 'mailer',
      password: 'abcd1234',
      role: 'user',
      number: '0612345678',
      email: 'mailer@example.jp',
      secondFactor: 'mail',
    },
  });
  t.is(created.statusCode, 201, created.body);
  const loginOnce = async () => {
    const r = await h.request({
      method: 'POST',
      url: '/auth/login',
      payload: { login: 'mailer', password: 'abcd1234' },
    });
    t.like(r.json(), { secondFactorPending: 'mail' });
    const mails = await listMails(h.db);
    const mail = mails[mails.length - 1];
    t.like(mail, { kind: 'login_code', recipients: ['mailer@example.jp'] });
    const code = /is (\d{6})\./.exec(mail?.text_body ?? '')?.[1] ?? '';
    return { cookie: sessionCookie(r), code };
  };
  const first = await loginOnce();
  h.clock.advance(minutes(10));
  const late = await h.request({
    method: 'POST',
    url: '/auth/second-factor',
    cookie: first.cookie,
    payload: { code: first.code },
  });
  t.is(late.statusCode, 401);
  t.deepEqual(late.json(), { error: 'unauthorized', message: 'wrong or expired code' });
  const second = await loginOnce();
  h.clock.advance(minutes(9));
  const ok = await h.request({
    method: 'POST',
    url: '/auth/second-factor',
    cookie: second.cookie,
    payload: { code: second.code },
  });
  t.is(ok.statusCode, 200, ok.body);
  const account = await h.account('mailer');
  t.is(await findLoginCode(h.db, account.id), undefined);
  t.is(
    (await h.request({ method: 'GET', url: '/numbers/0612345678', cookie: second.cookie }))
      .statusCode,
    200,
  );
});

dialectTest('an API token works like a session', async (t, h) => {
  const cookie = await h.login('sa');
  const made = await h.request({
    method: 'POST',
    url: '/auth/tokens',
    cookie,
    payload: { name: 'ci' },
  });
  t.is(made.statusCode, 201);
  const { token } = made.json<{ token: string }>();
  t.regex(token, /^ipv_/);
  const auth = { authorization: `Bearer ${token}` };
  const me = await h.request({ method: 'GET', url: '/auth/me', headers: auth });
  t.like(me.json(), { account: { login: 'sa' }, via: 'token' });
  t.is(
    (await h.request({ method: 'GET', url: '/numbers/0312345679', headers: auth })).statusCode,
    200,
  );
  t.is(
    (await h.request({ method: 'GET', url: '/numbers/0612345678', headers: auth })).statusCode,
    404,
  );
  const bad = await h.request({
    method: 'GET',
    url: '/auth/me',
    headers: { authorization: 'Bearer ipv_nothing' },
  });
  t.is(bad.statusCode, 401);
});

dialectTest('a password change applies the rules and needs the current password', async (t, h) => {
  const cookie = await h.login('user');
  const change = (currentPassword: string, newPassword: string) =>
    h.request({
      method: 'POST',
      url: '/auth/password',
      cookie,
      payload: { currentPassword, newPassword },
    });
  const cases: Array<[string, string]> = [
    ['short1', passwordMessages.length],
    ['12345678', passwordMessages.letters],
    ['abcdefgh', passwordMessages.digits],
    [`${'a'.repeat(40)}1`, passwordMessages.length],
  ];
  for (const [password, message] of cases) {
    const r = await change(PASSWORD, password);
    t.is(r.statusCode, 400);
    t.deepEqual(r.json(), { error: 'validation', message, field: 'newPassword' });
  }
  t.deepEqual((await change('wrong1234', 'newpass123')).json(), {
    error: 'validation',
    message: 'the current password is wrong',
    field: 'currentPassword',
  });
  t.is((await change(PASSWORD, 'newpass123')).statusCode, 204);
  await t.notThrowsAsync(h.login('user', 'newpass123'));
});
