import type { Insertable, Selectable } from 'kysely';
import type { Flag } from './forwarding-columns.ts';

/** A login session (SPEC §4): the cookie holds a random token, the id is its SHA-256. */
export interface SessionTable {
  id: string;
  account_id: number;
  created_at: string;
  /** Sliding idle expiry counts from here. */
  last_seen_at: string;
  /** 1 until the account's second factor has been given. */
  second_factor_pending: Flag;
}

export type Session = Selectable<SessionTable>;
export type NewSession = Insertable<SessionTable>;
