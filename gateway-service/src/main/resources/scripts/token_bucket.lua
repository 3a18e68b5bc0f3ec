-- Token bucket (Stripe's design, as spring-cloud-gateway's RedisRateLimiter), atomic in Redis.
-- KEYS[1] tokens left, KEYS[2] time of last refill; both share the hash tag of the key id (Redis Cluster safe).
-- ARGV: rate (tokens/s), capacity, requested. Redis' clock, so all gateway instances agree.
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local requested = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = math.ceil(capacity / rate * 2) + 1
local last = tonumber(redis.call('GET', KEYS[1])) or capacity
local last_ts = tonumber(redis.call('GET', KEYS[2])) or now
local filled = math.min(capacity, last + math.max(0, now - last_ts) * rate)
local allowed = filled >= requested
local left = filled
if allowed then left = filled - requested end
redis.call('SET', KEYS[1], string.format('%.6f', left), 'EX', ttl)
redis.call('SET', KEYS[2], string.format('%.6f', now), 'EX', ttl)
local retry = 0
if not allowed then retry = (requested - filled) / rate end
local reset = (capacity - left) / rate
return { allowed and 1 or 0, string.format('%.6f', left), string.format('%.6f', retry), string.format('%.6f', reset) }
