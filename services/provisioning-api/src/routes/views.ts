import type { ScopedAccount } from '@ipvoice/db';

/** An account as the API shows it: never a secret. */
export function accountView(a: ScopedAccount) {
  return {
    id: a.id,
    login: a.login,
    role: a.role,
    voiceGroupId: a.voice_group_id,
    siteId: a.site_id,
    numberId: a.number_id,
    email: a.email,
    secondFactor: a.second_factor,
    lockedUntil: a.locked_until,
    createdAt: a.created_at,
  };
}
