import { createHash, randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A random 32-byte token for a session cookie or an API token, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token: its SHA-256, hex. A 256-bit random token needs no
 * salt or slow hash; only passwords (chosen by people) do. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A 6-digit e-mailed login code. */
export function randomLoginCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A login code is short, so its hash is bound to the account: equal codes of two accounts
 * hash differently. It lives 10 minutes and 3 wrong tries lock the account. */
export function loginCodeHash(accountId: number, code: string): string {
  return tokenHash(`${accountId}:${code}`);
}

// argon2id (the library's default algorithm) with its default memory and time costs
// (19 MiB, 2 passes: OWASP's minimum recommendation).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
