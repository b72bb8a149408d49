// Lua run atomically inside Redis. One string key per hunt group holding the position of the
// member that took the previous call's first attempt; the key lapses at the expiry the caller
// computed from its clock, moved forward by every claim and settle.

/**
 * KEYS: group key. ARGV: size, expiresAt. Returns the claimed position.
 * A position left from a larger group still moves on by one, modulo the new size.
 */
export const claimScript = `
local stored = redis.call('GET', KEYS[1])
local position = 0
if stored then
  position = (tonumber(stored) + 1) % tonumber(ARGV[1])
end
redis.call('SET', KEYS[1], position, 'PXAT', ARGV[2])
return position
`;

/** KEYS: group key. ARGV: claimed, actual, expiresAt. Returns 1 when `actual` was recorded. */
export const settleScript = `
if tonumber(redis.call('GET', KEYS[1])) ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
return 1
`;
