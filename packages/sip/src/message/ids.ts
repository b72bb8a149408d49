// Identifier generation behind an interface so tests can make it deterministic (STYLE.md rule 2).
import { pooledRandomBytes } from '../core/random.ts';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

export interface IdGenerator {
  /** A From/To tag (RFC 3261 §19.3: at least 32 bits of randomness). */
  tag(): string;
  /** A Via branch, starting with the magic cookie, unique per transaction (§8.1.1.7). */
  branch(): string;
  /** A globally unique Call-ID (§8.1.1.4), `random@host` when a host is given. */
  callId(host?: string): string;
}

function random(bytes: number): string {
  return pooledRandomBytes(bytes).toString('base64url');
}

export const randomIdGenerator: IdGenerator = {
  tag: () => random(8),
  branch: () => BRANCH_MAGIC_COOKIE + random(12),
  callId: (host) => (host ? `${random(16)}@${host}` : random(16)),
};

/** Predictable ids for tests: tag-1, z9hG4bK-branch-2, call-3@host … */
export function sequentialIdGenerator(prefix = ''): IdGenerator {
  let n = 0;
  return {
    tag: () => `${prefix}tag-${++n}`,
    branch: () => `${BRANCH_MAGIC_COOKIE}-${prefix}branch-${++n}`,
    callId: (host) => `${prefix}call-${++n}${host ? '@' + host : ''}`,
  };
}
