// The REST API against a server started like `npm start`: the operator (from the
// environment) makes a site administrator, who turns on unconditional forwarding with
// PUT /numbers/:number/forwarding; the next SIPp call follows it (SPEC §3.1, §4).
import test from 'ava';
import { CallLab, received, statuses, succeeded } from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';
const operator = { login: 'carrier', password: 'carrier-pass-1' };
const admin = { login: 'site-admin', password: 'admin-pass-1' };

/** The session cookie is `Secure`: fetch over plain HTTP keeps no cookies, so it is sent back
 * by hand. */
async function login(api: string, who: { login: string; password: string }): Promise<string> {
  const r = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (r.status !== 200) throw new Error(`login ${who.login}: ${r.status} ${await r.text()}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('ipvoice_session='));
  if (cookie === undefined) throw new Error('no session cookie');
  return cookie.split(';')[0] ?? '';
}

async function send(api: string, cookie: string, method: string, path: string, body: unknown) {
  return fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(body),
  });
}

test('an administrator turns on forwarding through the API; the next call follows it', async (t) => {
  const lab = await CallLab.start({
    lines: [{ numbers: [{ number: alice }, { number: bob }] }],
    env: {
      IPVOICE_API__OPERATOR_LOGIN: operator.login,
      IPVOICE_API__OPERATOR_PASSWORD: operator.password,
    },
  });
  t.teardown(() => lab.dispose());
  const api = lab.server.api;

  // Before: alice's phone takes the call.
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const before = await lab.trunkCall('caller', { caller: outside, callee: alice });
  await succeeded(t, before, alicePhone);
  t.like(await lab.record(await before.callId()), { called: alice, outcome: 'answered' });

  // The operator makes an administrator of the lab's site (callProvisioning: 9999998).
  const op = await login(api, operator);
  const made = await send(api, op, 'POST', '/accounts', {
    ...admin,
    role: 'site_admin',
    site: '9999998',
  });
  t.is(made.status, 201, await made.text());

  const cookie = await login(api, admin);
  const put = await send(api, cookie, 'PUT', `/numbers/${alice}/forwarding`, {
    enabled: true,
    unconditional: true,
    onBusy: false,
    onNoAnswer: false,
    onUnreachable: false,
    ringTimeSeconds: 20,
    activeTarget: 'slot1',
    slots: ['03-5555-0002', null, null, null, null],
  });
  t.is(put.status, 200, await put.text());
  const shown = await fetch(`${api}/numbers/${alice}/forwarding`, { headers: { cookie } });
  t.like(await shown.json(), { unconditional: true, slots: [bob, null, null, null, null] });

  // After: the call goes to bob, the caller hears 181, bob sees where it was diverted from.
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const after = await lab.trunkCall('caller', { caller: outside, callee: alice });
  await succeeded(t, after, bobPhone);
  t.true(statuses(await after.messages()).includes(181));
  const [invite] = received(await bobPhone.messages(), 'INVITE');
  t.deepEqual(invite?.headers('Diversion'), [
    `<sip:${alice}@ipvoice.local;user=phone>;reason=unconditional;counter=1`,
  ]);
  t.like(await lab.record(await after.callId()), {
    called: alice,
    outcome: 'forwarded',
    outcome_reason: 'unconditional',
    forwarded_to: bob,
  });
});
