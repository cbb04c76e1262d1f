-- Revokes every family of a user and deletes the user's index.
-- KEYS: the user's index. ARGV: prefix, user.
-- Returns the number of families that were still alive. Ids of families
-- that expired on their own are dropped without being counted.
local now = now_ms()
local count = 0
for _, fam in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  count = count + revoke_family(ARGV[1], fam, ARGV[2], now)
end
redis.call('DEL', KEYS[1])
return count
