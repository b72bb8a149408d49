// Lua run atomically inside Redis. One sorted set per access line: member callId, score the
// hold's expiry (ms since the epoch). Lapsed members are removed before anything is counted,
// and the key's own TTL follows its latest hold so an idle line's key disappears.

const expireWithLatest = `
local function expireWithLatest(key)
  local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if latest[2] then
    redis.call('PEXPIREAT', key, string.format('%.0f', tonumber(latest[2])))
  end
end
`;

/**
 * KEYS: line zset. ARGV: callId, now, expiresAt, limit. Returns 1 when the call holds a channel.
 * ZADD GT adds a new member and only ever lengthens an existing one's hold.
 */
export const acquireScript = `${expireWithLatest}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[1])
expireWithLatest(KEYS[1])
return 1
`;

/** KEYS: line zset. ARGV: callId, now, expiresAt. XX: a lapsed or released hold is not revived. */
export const refreshScript = `${expireWithLatest}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
expireWithLatest(KEYS[1])
return 1
`;
