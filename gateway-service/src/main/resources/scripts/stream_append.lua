-- Appends a batch of events to a stream log in one round trip and refreshes its TTL.
-- KEYS[1] log key. ARGV[1] ttl (s), then triples: entry id ("0-seq"), data, end flag ("1" = terminal marker).
for i = 2, #ARGV, 3 do
  if ARGV[i + 2] == '1' then
    redis.call('XADD', KEYS[1], ARGV[i], 'end', '1')
  else
    redis.call('XADD', KEYS[1], ARGV[i], 'd', ARGV[i + 1])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
