// Lua run atomically inside Redis. Redis 7.0 has no per-field TTL, so each binding carries
// its expiresAt inside the JSON value; the AOR hash's key TTL follows the latest binding and
// expired fields are pruned whenever the hash is written.
//
// DEVIATION (Redis Cluster): removeByConnection computes AOR keys inside the script instead of
// declaring them in KEYS; fine for a single Redis (with replicas), not for a sharded cluster.

const refresh = `
local function refresh(aorKey, aorsKey, aor, now)
  local all = redis.call('HGETALL', aorKey)
  local latest = 0
  for i = 1, #all, 2 do
    local b = cjson.decode(all[i + 1])
    if b.expiresAt <= now then
      redis.call('HDEL', aorKey, all[i])
    elseif b.expiresAt > latest then
      latest = b.expiresAt
    end
  end
  if latest > 0 then
    local at = string.format('%.0f', latest)
    redis.call('PEXPIREAT', aorKey, at)
    redis.call('ZADD', aorsKey, at, aor)
  else
    redis.call('DEL', aorKey)
    redis.call('ZREM', aorsKey, aor)
  end
end
`;

/** KEYS: aor hash, aors zset, connection set. ARGV: bindingId, json, now, aor, connection member ('' for none), expiresAt. */
export const putScript = `${refresh}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
refresh(KEYS[1], KEYS[2], ARGV[4], tonumber(ARGV[3]))
if ARGV[5] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[5])
  -- A new set has no TTL, and GT treats "no TTL" as infinite, so set it plainly first.
  if redis.call('PTTL', KEYS[3]) < 0 then
    redis.call('PEXPIREAT', KEYS[3], ARGV[6])
  else
    redis.call('PEXPIREAT', KEYS[3], ARGV[6], 'GT')
  end
end
return 1
`;

/** KEYS: aor hash, aors zset. ARGV: bindingId, now, aor. Returns 1 if an unexpired binding went. */
export const removeScript = `${refresh}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local now = tonumber(ARGV[2])
local live = 0
if cjson.decode(v).expiresAt > now then live = 1 end
redis.call('HDEL', KEYS[1], ARGV[1])
refresh(KEYS[1], KEYS[2], ARGV[3], now)
return live
`;

/** KEYS: aor hash, aors zset. ARGV: now, aor. Returns the number of unexpired bindings removed. */
export const removeAllScript = `
local vals = redis.call('HVALS', KEYS[1])
local now = tonumber(ARGV[1])
local live = 0
for _, v in ipairs(vals) do
  if cjson.decode(v).expiresAt > now then live = live + 1 end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return live
`;

/**
 * KEYS: connection set, aors zset. ARGV: aor key prefix, serverId, connectionId, now.
 * Set members may be stale (the binding re-registered over another flow), so each binding is
 * checked against the connection before it is removed. Returns the removed unexpired bindings' JSON.
 */
export const removeByConnectionScript = `${refresh}
local now = tonumber(ARGV[4])
local removed = {}
local touched = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local ref = cjson.decode(m)
  local aorKey = ARGV[1] .. ref[1]
  local v = redis.call('HGET', aorKey, ref[2])
  if v then
    local b = cjson.decode(v)
    if b.serverId == ARGV[2] and b.flow.connectionId == ARGV[3] then
      redis.call('HDEL', aorKey, ref[2])
      touched[ref[1]] = true
      if b.expiresAt > now then table.insert(removed, v) end
    end
  end
end
for aor in pairs(touched) do refresh(ARGV[1] .. aor, KEYS[2], aor, now) end
redis.call('DEL', KEYS[1])
return removed
`;

/** KEYS: lock. ARGV: token. Deletes the lock only if we still hold it. */
export const releaseLockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
