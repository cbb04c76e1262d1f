-- Revokes the family of a refresh token, whatever the token's state.
-- KEYS: the token's record. ARGV: prefix.
-- Returns {} when the token is unknown, else {user, fam}.
local rec = redis.call('HMGET', KEYS[1], 'user', 'fam')
if not rec[1] or not rec[2] then
  return {}
end
revoke_family(ARGV[1], rec[2], rec[1])
return {rec[1], rec[2]}
