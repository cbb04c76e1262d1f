-- Rotates a refresh token, or handles the reuse of a rotated one.
-- KEYS: the presented token's record, its sealed-successor key, the record
-- of the new token.
-- ARGV: prefix, new token hash, new token sealed with a key derived from the
-- presented one, token lifetime (ms), reuse interval (ms).
-- Returns one of:
--   {'invalid'}                                 unknown, expired or revoked
--   {'rotated', user, fam, exp}                 the new token is now current
--   {'reissued', user, fam, exp, sealed}        inside the reuse interval:
--                                               the current successor again
--   {'reused', user, fam}                       reuse: the family is revoked
local prefix, new_hash, sealed = ARGV[1], ARGV[2], ARGV[3]
local ttl, interval = tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()

local rec = redis.call('HMGET', KEYS[1], 'user', 'fam', 'exp', 'state', 'next', 'rotated')
local user, fam, exp, state = rec[1], rec[2], tonumber(rec[3]), rec[4]
if not user or not fam or not exp or exp <= now then
  return {'invalid'}
end
local fam_key = prefix .. 'fam:' .. fam
local fam_exp = tonumber(redis.call('HGET', fam_key, 'exp'))
if not fam_exp or fam_exp <= now then
  return {'invalid'}
end

if state == 'current' then
  local new_exp = now + ttl
  redis.call('HSET', KEYS[3], 'user', user, 'fam', fam, 'exp', ms(new_exp), 'state', 'current')
  redis.call('PEXPIREAT', KEYS[3], ms(new_exp))
  redis.call('HSET', KEYS[1], 'state', 'rotated', 'next', new_hash, 'rotated', ms(now))
  if interval > 0 then
    redis.call('SET', KEYS[2], sealed, 'PX', ms(interval))
  end
  redis.call('HSET', fam_key, 'exp', ms(new_exp))
  redis.call('PEXPIREAT', fam_key, ms(new_exp))
  redis.call('SADD', fam_key .. ':tokens', new_hash)
  redis.call('PEXPIREAT', fam_key .. ':tokens', ms(new_exp))
  expire_no_earlier_than(prefix .. 'user:' .. user .. ':fams', new_exp, now)
  return {'rotated', user, fam, new_exp}
end

-- The token was rotated before. Inside the reuse interval, and only while
-- its successor is still the family's current token, the caller gets that
-- successor again. Any other reuse revokes the family.
local rotated = tonumber(rec[6])
if rotated and now - rotated < interval then
  local next_key = prefix .. 'rt:' .. rec[5]
  local successor = redis.call('HMGET', next_key, 'state', 'exp')
  local successor_sealed = redis.call('GET', KEYS[2])
  if successor[1] == 'current' and successor_sealed then
    return {'reissued', user, fam, tonumber(successor[2]), successor_sealed}
  end
end
revoke_family(prefix, fam, user, now)
return {'reused', user, fam}
