// SPEC §4: who may do what, and on which numbers/accounts. Every route declares its access
// as data (route.ts); `authorize` (build-api.ts) applies it before the handler runs.
import {
  findAccountById,
  findBulkForwardingGroupById,
  findNumber,
  findSiteByCode,
  type BulkForwardingGroupWithMembers,
  type AccountRole,
  type Executor,
  type NumberFacts,
  type ScopedAccount,
  type VoiceGroup,
  findVoiceGroupByCode,
} from '@ipvoice/db';
import { forbidden, notFound } from './api-error.ts';

export type Role = AccountRole;
export const roles: readonly Role[] = ['operator', 'group_admin', 'site_admin', 'user'];

/** A role's right on a route: `'own'` only for users, meaning their own number. The operator
 * (the carrier) may do everything unless a route says `operator: false` — a user's own
 * voicemail messages are theirs alone. */
export type Right = boolean | 'own';
export type Rights = { group_admin: Right; site_admin: Right; user: Right; operator?: false };

export type Access =
  /** No login needed (POST /auth/login). */
  | { resource: 'public' }
  /** Logged in, even with the second factor still to give (second factor, logout). */
  | { resource: 'pending' }
  /** Any fully logged-in account, acting on itself (password change, API tokens). */
  | { resource: 'self'; roles: Rights }
  /** Operator functions (SPEC §4 last item). */
  | { resource: 'operator' }
  /** The number in the URL (`:number`), which must lie within the account's scope. */
  | { resource: 'number'; roles: Rights }
  /** The account in the URL (`:id`), which must lie within the account's scope. */
  | { resource: 'account'; roles: Rights }
  /** The account list: answers only what lies within scope; creation checks the body. */
  | { resource: 'accounts'; roles: Rights }
  /** The site in the URL (`:site`, its 7-digit code), which must lie within scope: a user's
   * scope holds no site. */
  | { resource: 'site'; roles: Rights }
  /** The bulk-forwarding group in the URL (`:groupId`), within scope through its site. */
  | { resource: 'bulk_group'; roles: Rights }
  /** The voice group in the URL (`:code`, VG + 5 digits), which must lie within scope: only a
   * group administrator's scope holds one. */
  | { resource: 'voice_group'; roles: Rights };

/** The account a request acts as, and how it proved it. */
export interface Principal {
  account: ScopedAccount;
  via: 'session' | 'token';
  /** The session's id (the token's hash) when via is 'session'. */
  sessionId?: string;
}

/** What the access check found for the handler. */
export interface Target {
  number?: NumberFacts;
  account?: ScopedAccount;
  site?: SiteFacts;
  bulkGroup?: BulkForwardingGroupWithMembers;
  voiceGroup?: VoiceGroup;
}

/** A site with the voice group it belongs to. */
export interface SiteFacts {
  id: number;
  code: string;
  name: string;
  voiceGroupId: number;
}

/** Whether the role may use the route at all (403 when not). */
export function roleAllowed(access: Access, role: Role): boolean {
  if (role === 'operator') return !('roles' in access) || access.roles.operator !== false;
  if (access.resource === 'operator') return false;
  if (!('roles' in access)) return true;
  return access.roles[role] !== false;
}

/** SPEC §4 scope: a voice group, a site, or one number. */
export function numberInScope(account: ScopedAccount, n: NumberFacts): boolean {
  switch (account.role) {
    case 'operator':
      return true;
    case 'group_admin':
      return n.voiceGroupId === account.voice_group_id;
    case 'site_admin':
      return n.siteId === account.site_id;
    case 'user':
      return n.id === account.number_id;
  }
}

/** A site is within an administrator's scope; a user's scope is one number, never a site. */
export function siteInScope(account: ScopedAccount, site: SiteFacts): boolean {
  switch (account.role) {
    case 'operator':
      return true;
    case 'group_admin':
      return site.voiceGroupId === account.voice_group_id;
    case 'site_admin':
      return site.id === account.site_id;
    case 'user':
      return false;
  }
}

/** An account is within scope when its own scope lies inside the principal's; an operator
 * account only for an operator. */
export function accountInScope(principal: ScopedAccount, other: ScopedAccount): boolean {
  switch (principal.role) {
    case 'operator':
      return true;
    case 'group_admin':
      return other.role !== 'operator' && other.scopeVoiceGroupId === principal.voice_group_id;
    case 'site_admin':
      return (
        (other.role === 'site_admin' || other.role === 'user') &&
        other.scopeSiteId === principal.site_id
      );
    case 'user':
      return other.id === principal.id;
  }
}

/**
 * Resolves the route's target and checks it against the principal's scope. A target out of
 * scope is answered exactly like one that does not exist (404), so guessing learns nothing;
 * a role without the right gets 403 before anything is looked up.
 */
export async function resolveTarget(
  db: Executor,
  access: Access,
  principal: Principal,
  params: Record<string, string>,
): Promise<Target> {
  const account = principal.account;
  if (!roleAllowed(access, account.role)) {
    throw forbidden(`the role ${account.role} may not use this function`);
  }
  if (access.resource === 'number') {
    const number = params.number ?? '';
    const facts = await findNumber(db, number);
    if (facts === undefined || !numberInScope(account, facts)) {
      throw notFound(`number ${number} not found`);
    }
    return { number: facts };
  }
  if (access.resource === 'site') {
    const code = params.site ?? '';
    const site = /^[0-9]{7}$/.test(code) ? await siteFacts(db, code) : undefined;
    if (site === undefined || !siteInScope(account, site)) throw notFound(`site ${code} not found`);
    return { site };
  }
  if (access.resource === 'bulk_group') {
    const raw = params.groupId ?? '';
    const group = /^[0-9]{1,9}$/.test(raw)
      ? await findBulkForwardingGroupById(db, Number(raw))
      : undefined;
    const site = group ? await siteFactsById(db, group.site_id) : undefined;
    if (group === undefined || site === undefined || !siteInScope(account, site))
      throw notFound(`bulk-forwarding group ${raw} not found`);
    return { bulkGroup: group, site };
  }
  if (access.resource === 'voice_group') {
    const code = params.code ?? '';
    const group = /^VG[0-9]{5}$/.test(code) ? await findVoiceGroupByCode(db, code) : undefined;
    const inScope =
      group !== undefined &&
      (account.role === 'operator' ||
        (account.role === 'group_admin' && account.voice_group_id === group.id));
    if (!inScope) throw notFound(`voice group ${code} not found`);
    return { voiceGroup: group };
  }
  if (access.resource === 'account') {
    const raw = params.id ?? '';
    const id = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : undefined;
    const other = id === undefined ? undefined : await findAccountById(db, id);
    if (other === undefined || !accountInScope(account, other)) {
      throw notFound(`account ${raw} not found`);
    }
    return { account: other };
  }
  return {};
}

async function siteFacts(db: Executor, code: string): Promise<SiteFacts | undefined> {
  const row = await findSiteByCode(db, code);
  return row && { id: row.id, code: row.code, name: row.name, voiceGroupId: row.voice_group_id };
}

async function siteFactsById(db: Executor, id: number): Promise<SiteFacts | undefined> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, code: row.code, name: row.name, voiceGroupId: row.voice_group_id };
}
