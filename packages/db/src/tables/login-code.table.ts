import type { Selectable } from 'kysely';

/** The e-mailed one-time login code (second factor 'mail'), one live code per account. */
export interface LoginCodeTable {
  account_id: number;
  /** SHA-256 of the account id and the code. */
  code_hash: string;
  expires_at: string;
}

export type LoginCode = Selectable<LoginCodeTable>;
