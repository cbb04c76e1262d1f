-- Revokes the family of a refresh token, whatever the token's state.
-- KEYS: the token's record. ARGV: prefix.
-- Returns {user, fam} when the family was alive, else {}.
local rec = redis.call('HMGET', KEYS[1], 'user', 'fam')
if not rec[1] or not rec[2] then
  return {}
end
if revoke_family(ARGV[1], rec[2], rec[1], now_ms()) == 0 then
  return {}
end
return {rec[1], rec[2]}
