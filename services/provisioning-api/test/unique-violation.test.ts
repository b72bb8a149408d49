// A request that loses a race to the database's unique constraint is answered 409, not 500:
// the codes both drivers really raise are recognised.
import { createAccount } from '@ipvoice/db';
import { isUniqueViolation } from '../src/build-api.ts';
import { hashPassword } from '../src/auth/secrets.ts';
import { eachDialect, PASSWORD, start } from './helpers/harness.ts';

const dialectTest = eachDialect();

dialectTest('a duplicate row raises an error recognised as a unique violation', async (t, h) => {
  const account = {
    login: 'twice',
    passwordHash: await hashPassword(PASSWORD),
    scope: { role: 'user' as const, numberId: h.tenant.n1.id },
  };
  await createAccount(h.db, account, start);
  // better-sqlite3's SqliteError is not an Error in ava's eyes: accept any thrown value.
  const error = await t.throwsAsync(createAccount(h.db, account, start), { any: true });
  t.true(isUniqueViolation(error), String((error as { code?: unknown } | undefined)?.code));
  t.false(isUniqueViolation(new Error('something else')));
});
