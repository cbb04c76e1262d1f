-- Functions shared by every refresh-store script. The Go side prepends this
-- file to each script, so each one is a single EVALSHA.
--
-- Keys, all under the store's prefix:
--   rt:<hash>          hash: user, fam, exp, state (current|rotated),
--                      next (successor hash), rotated (ms); expires at exp
--   rt:<hash>:next     the successor token sealed with a key derived from
--                      this token; expires after the reuse interval
--   fam:<id>           hash: user, created, exp; expires at exp
--   fam:<id>:tokens    set of every token hash of the family
--   user:<name>:fams   set of the user's family ids; expires no earlier
--                      than the user's latest family
-- Times are Unix milliseconds from the Redis server's clock, so every
-- replica uses the same clock. The scripts compare the stored expiry times
-- with that clock instead of relying on key expiry alone, because miniredis
-- (the lab's fallback when redis-server is missing) expires keys only when
-- its clock is moved forward by hand.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- ms formats a millisecond time as an integer string, so the stored value
-- does not depend on how the Redis version converts a Lua number (a
-- double) to a string.
local function ms(x)
  return string.format('%.0f', x)
end

-- expire_no_earlier_than moves the expiry of key to at, unless it already
-- expires later. PEXPIREAT GT is not used because it treats a key without
-- an expiry as never expiring and would leave a new key without one.
local function expire_no_earlier_than(key, at, now)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or now + ttl < at then
    redis.call('PEXPIREAT', key, ms(at))
  end
end

-- revoke_family deletes every token of the family, the family and its
-- entry in the user's index. It returns 1 when the family was still alive
-- at now, and 0 when it was missing or expired.
local function revoke_family(prefix, fam, user, now)
  local fam_key = prefix .. 'fam:' .. fam
  local tokens_key = fam_key .. ':tokens'
  local exp = tonumber(redis.call('HGET', fam_key, 'exp'))
  local alive = 0
  if exp and exp > now then
    alive = 1
  end
  for _, hash in ipairs(redis.call('SMEMBERS', tokens_key)) do
    redis.call('DEL', prefix .. 'rt:' .. hash, prefix .. 'rt:' .. hash .. ':next')
  end
  redis.call('DEL', fam_key, tokens_key)
  if user then
    redis.call('SREM', prefix .. 'user:' .. user .. ':fams', fam)
  end
  return alive
end
