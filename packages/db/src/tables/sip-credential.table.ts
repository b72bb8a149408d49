import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * SPEC §1: one SIP-ID and password per base number. The password is stored as
 * given because digest with SHA-256 (RFC 8760) needs a different HA1 than MD5
 * for the same realm; see the package README.
 */
export interface SipCredentialTable {
  id: Generated<number>;
  number_id: number;
  /** Always 'base': part of the foreign key that keeps credentials off dial-ins. */
  number_kind: 'base';
  username: string;
  password: string;
  created_at: string;
  updated_at: string;
}

export type SipCredential = Selectable<SipCredentialTable>;
export type NewSipCredential = Insertable<SipCredentialTable>;
export type SipCredentialUpdate = Updateable<SipCredentialTable>;
