// Digest computation: RFC 2617 §3.2.2 (MD5, qop), RFC 2069 (no qop), RFC 7616 §3.4 (SHA-256,
// *-sess), adopted for SIP by RFC 3261 §22.4 and RFC 8760.
import { hash as oneShotHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
/** The hash a stored HA1 is computed with; a `-sess` variant derives from it per nonce. */
export type DigestHash = 'MD5' | 'SHA-256';
export type DigestQop = 'auth' | 'auth-int';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
];

/** Algorithm names are tokens, compared case-insensitively (RFC 7616 §3.3). */
export function parseAlgorithm(text: string): DigestAlgorithm | undefined {
  const upper = text.toUpperCase();
  return DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === upper);
}

export function hashOf(algorithm: DigestAlgorithm): DigestHash {
  return algorithm.startsWith('SHA-256') ? 'SHA-256' : 'MD5';
}

export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

export function hashHex(hash: DigestHash, data: string | Buffer): string {
  // One-shot hashing: a Hash object per call costs more than hashing these short inputs.
  return oneShotHash(hash === 'MD5' ? 'md5' : 'sha256', data, 'hex');
}

/** H(username ":" realm ":" password): what a credential store may keep instead of the password. */
export function computeHa1(
  hash: DigestHash,
  username: string,
  realm: string,
  password: string,
): string {
  return hashHex(hash, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password) with the algorithm's hash (not yet the session variant). */
  ha1: string;
  nonce: string;
  method: string;
  /** The digest-uri as written in the credentials. */
  uri: string;
  /** Absent for the RFC 2069 form. */
  qop?: DigestQop;
  /** Eight hex digits, as sent (RFC 2617 §3.2.2: the exact text enters the hash). */
  nc?: string;
  cnonce?: string;
  /** The message body, needed for auth-int. */
  body?: Buffer;
}

/** The request-digest (the `response` parameter), lower-case hex. */
export function computeDigestResponse(input: DigestResponseInput): string {
  const hash = hashOf(input.algorithm);
  let ha1 = input.ha1.toLowerCase();
  // RFC 7616 §3.4.2: for -sess, A1 = H(user:realm:pass) ":" nonce ":" cnonce, computed per nonce.
  if (isSessionAlgorithm(input.algorithm))
    ha1 = hashHex(hash, `${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  // RFC 7616 §3.4.3: A2 = Method ":" uri [":" H(entity-body)] for auth-int.
  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${hashHex(hash, input.body ?? Buffer.alloc(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = hashHex(hash, a2);
  if (input.qop === undefined) {
    // RFC 2069 §2.1.2: no qop, response = H(HA1 ":" nonce ":" HA2).
    return hashHex(hash, `${ha1}:${input.nonce}:${ha2}`);
  }
  // RFC 7616 §3.4.1: response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2).
  return hashHex(
    hash,
    `${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`,
  );
}
