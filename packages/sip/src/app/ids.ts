// Randomness is injected (STYLE.md rule 2): tags, branches and Call-IDs come from here so
// tests can make them predictable.
import { randomBytes } from 'node:crypto';

export interface IdGenerator {
  /** From/To tag (RFC 3261 §19.3: at least 32 bits of randomness). */
  tag(): string;
  /** Via branch including the RFC 3261 §8.1.1.7 magic cookie `z9hG4bK`. */
  branch(): string;
  /** Call-ID (RFC 3261 §8.1.1.4: globally unique). */
  callId(): string;
}

export const randomIds: IdGenerator = {
  tag: () => randomBytes(6).toString('hex'),
  branch: () => `z9hG4bK${randomBytes(9).toString('hex')}`,
  callId: () => randomBytes(12).toString('hex'),
};

/** Predictable ids for tests: tag-1, z9hG4bK-2, call-3 … */
export function sequentialIds(prefix = ''): IdGenerator {
  let n = 0;
  return {
    tag: () => `${prefix}tag-${++n}`,
    branch: () => `z9hG4bK${prefix}-${++n}`,
    callId: () => `${prefix}call-${++n}`,
  };
}
