import type { Generated, Insertable, Selectable } from 'kysely';

/** A token for machine clients (`Authorization: Bearer …`); only its SHA-256 is stored. */
export interface ApiTokenTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export type ApiToken = Selectable<ApiTokenTable>;
export type NewApiToken = Insertable<ApiTokenTable>;
