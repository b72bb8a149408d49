// Random bytes from the CSPRNG, drawn in blocks: tags, branches and nonces are made on
// every request, and a system call per few bytes shows up in profiles.
import { randomBytes } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** `size` fresh random bytes (a copy: callers may keep it). */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) return randomBytes(size);
  if (offset + size > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}
