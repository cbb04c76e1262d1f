-- Creates a family with its first token.
-- KEYS: the token's record, the family, the family's token set, the user's
-- index.
-- ARGV: user, family id, token hash, token lifetime (ms).
-- Returns the token's expiry (ms).
local user, fam, hash = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local exp = now + tonumber(ARGV[4])

redis.call('HSET', KEYS[1], 'user', user, 'fam', fam, 'exp', ms(exp), 'state', 'current')
redis.call('PEXPIREAT', KEYS[1], ms(exp))
redis.call('HSET', KEYS[2], 'user', user, 'created', ms(now), 'exp', ms(exp))
redis.call('PEXPIREAT', KEYS[2], ms(exp))
redis.call('SADD', KEYS[3], hash)
redis.call('PEXPIREAT', KEYS[3], ms(exp))
redis.call('SADD', KEYS[4], fam)
expire_no_earlier_than(KEYS[4], exp, now)
return exp
