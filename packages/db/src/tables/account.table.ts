import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §4: operator (the carrier), voice-group admin, site admin, user (one number). */
export type AccountRole = 'operator' | 'group_admin' | 'site_admin' | 'user';
export type SecondFactor = 'none' | 'totp' | 'mail';

/**
 * An account of the settings portal and REST API. The scope column matching the role is set
 * and the others are null (a check constraint says so). Timestamps are ISO 8601 UTC text.
 */
export interface AccountTable {
  id: Generated<number>;
  login: string;
  /** argon2id, PHC string format. */
  password_hash: string;
  role: AccountRole;
  voice_group_id: number | null;
  site_id: number | null;
  number_id: number | null;
  email: string | null;
  /** Base32 TOTP secret when second_factor is 'totp'. */
  totp_secret: string | null;
  second_factor: Generated<SecondFactor>;
  /** Consecutive failed logins since the last success or lock. */
  failed_logins: Generated<number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
