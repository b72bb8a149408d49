import { enqueueMail } from '../../src/repositories/mail-queue.ts';
import {
  clearLoginFailures,
  createAccount,
  createApiToken,
  createSession,
  deleteAccount,
  findAccountById,
  findAccountByLogin,
  findApiTokenByHash,
  findLoginCode,
  findSession,
  listAccounts,
  putLoginCode,
  recordFailedLogin,
  touchSession,
} from '../../src/repositories/accounts.ts';
import { upsertSite } from '../../src/repositories/sites.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const policy = { maxFailures: 3, lockMs: 15 * 60_000 };

dialectTest('accounts resolve the voice group and site of their scope', async (t, db) => {
  const { group, site, base } = await seedTenant(db);
  const op = await createAccount(
    db,
    { login: 'op', passwordHash: 'h', scope: { role: 'operator' } },
    now,
  );
  const ga = await createAccount(
    db,
    { login: 'ga', passwordHash: 'h', scope: { role: 'group_admin', voiceGroupId: group.id } },
    now,
  );
  const sa = await createAccount(
    db,
    { login: 'sa', passwordHash: 'h', scope: { role: 'site_admin', siteId: site.id } },
    now,
  );
  const user = await createAccount(
    db,
    { login: 'u', passwordHash: 'h', scope: { role: 'user', numberId: base.id } },
    now,
  );
  t.is(op.second_factor, 'none');
  t.is(op.failed_logins, 0);
  t.like(await findAccountById(db, op.id), { scopeVoiceGroupId: null, scopeSiteId: null });
  t.like(await findAccountById(db, ga.id), { scopeVoiceGroupId: group.id, scopeSiteId: null });
  t.like(await findAccountById(db, sa.id), { scopeVoiceGroupId: group.id, scopeSiteId: site.id });
  t.like(await findAccountByLogin(db, 'u'), {
    id: user.id,
    number_id: base.id,
    scopeVoiceGroupId: group.id,
    scopeSiteId: site.id,
  });
  t.deepEqual(
    (await listAccounts(db, { voiceGroupId: group.id })).map((a) => a.login),
    ['ga', 'sa', 'u'],
  );
  t.deepEqual(
    (await listAccounts(db, { siteId: site.id })).map((a) => a.login),
    ['sa', 'u'],
  );
  t.is((await listAccounts(db)).length, 4);
  t.true(await deleteAccount(db, sa.id));
  t.false(await deleteAccount(db, sa.id));
});

dialectTest(
  'the database refuses a role without its scope, a duplicate login, an unknown role',
  async (t, db) => {
    const { group } = await seedTenant(db);
    const row = (extra: Record<string, unknown>) => ({
      login: 'x',
      password_hash: 'h',
      role: 'group_admin' as const,
      voice_group_id: group.id,
      site_id: null,
      number_id: null,
      email: null,
      totp_secret: null,
      locked_until: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      ...extra,
    });
    await violates(
      t,
      db
        .insertInto('accounts')
        .values(row({ voice_group_id: null }))
        .execute(),
      'check',
      'accounts_scope',
    );
    await violates(
      t,
      db
        .insertInto('accounts')
        .values(row({ role: 'root' as never }))
        .execute(),
      'check',
      'accounts_role',
    );
    await violates(
      t,
      db
        .insertInto('accounts')
        .values(row({ second_factor: 'mail' }))
        .execute(),
      'check',
      'accounts_second_factor_needs',
    );
    await db.insertInto('accounts').values(row({})).execute();
    await violates(t, db.insertInto('accounts').values(row({})).execute(), 'unique');
  },
);

dialectTest('three failures in a row lock the account; clearing unlocks it', async (t, db) => {
  await seedTenant(db);
  const a = await createAccount(
    db,
    { login: 'op', passwordHash: 'h', scope: { role: 'operator' } },
    now,
  );
  t.is(await recordFailedLogin(db, a.id, now, policy), undefined);
  t.is(await recordFailedLogin(db, a.id, now, policy), undefined);
  const until = await recordFailedLogin(db, a.id, now, policy);
  t.deepEqual(until, new Date(now.getTime() + policy.lockMs));
  t.like(await findAccountById(db, a.id), { failed_logins: 0, locked_until: until?.toISOString() });
  await clearLoginFailures(db, a.id, now);
  t.like(await findAccountById(db, a.id), { failed_logins: 0, locked_until: null });
});

dialectTest('sessions, tokens and login codes go with their account', async (t, db) => {
  const { group } = await seedTenant(db);
  const site = (
    await upsertSite(db, { code: '1000002', voice_group_id: group.id, name: 'Branch' }, now)
  ).row;
  const a = await createAccount(
    db,
    { login: 'sa', passwordHash: 'h', scope: { role: 'site_admin', siteId: site.id } },
    now,
  );
  await createSession(db, { id: 'abc', accountId: a.id, secondFactorPending: true }, now);
  t.like(await findSession(db, 'abc'), { account_id: a.id, second_factor_pending: 1 });
  const later = new Date(now.getTime() + 60_000);
  await touchSession(db, 'abc', later, true);
  t.like(await findSession(db, 'abc'), {
    last_seen_at: later.toISOString(),
    second_factor_pending: 0,
  });
  const token = await createApiToken(db, { accountId: a.id, name: 'ci', tokenHash: 'th' }, now);
  t.like(await findApiTokenByHash(db, 'th'), { id: token.id, name: 'ci', last_used_at: null });
  await putLoginCode(db, { accountId: a.id, codeHash: 'c1', expiresAt: later });
  await putLoginCode(db, { accountId: a.id, codeHash: 'c2', expiresAt: later });
  t.like(await findLoginCode(db, a.id), { code_hash: 'c2' });
  // Deleting the site deletes its admin, and with it everything the account held.
  await db.deleteFrom('sites').where('id', '=', site.id).execute();
  t.is(await findAccountById(db, a.id), undefined);
  t.is(await findSession(db, 'abc'), undefined);
  t.is(await findApiTokenByHash(db, 'th'), undefined);
  t.is(await findLoginCode(db, a.id), undefined);
});

dialectTest('the mail queue takes login-code mail', async (t, db) => {
  const id = await enqueueMail(
    db,
    { kind: 'login_code', recipients: ['a@example.jp'], subject: 's', textBody: 'b' },
    now,
  );
  t.true(id > 0);
});
