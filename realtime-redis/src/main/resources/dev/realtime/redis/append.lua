-- Appends one or more events atomically per event: XADD (trimmed to MAXLEN), PEXPIRE and PUBLISH
-- of the original's envelope, in one script call, so no event is ever half written.
-- KEYS[i]: the stream of event i. ARGV, six per event:
--   data (JSON text), event, channel, pub/sub channel, maxlen (0: none), expire ms (0: none)
-- Returns one reply per event: its id, or "ERR <message>" (that event was not written; the
-- others were).
local ids = {}
for i = 1, #KEYS do
  local a = (i - 1) * 6
  local data, event, channel, pub = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local maxlen, ttl = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local id
  local kind = redis.call('TYPE', KEYS[i])['ok']
  if kind ~= 'none' and kind ~= 'stream' then
    id = { err = 'the key ' .. KEYS[i] .. ' holds a ' .. kind .. ', not a stream' }
  elseif maxlen > 0 then
    id = redis.pcall('XADD', KEYS[i], 'MAXLEN', '=', maxlen, '*',
      'data', data, 'event', event, 'channel', channel)
  else
    id = redis.pcall('XADD', KEYS[i], '*', 'data', data, 'event', event, 'channel', channel)
  end
  if type(id) == 'table' and id.err then
    ids[i] = 'ERR ' .. id.err
  else
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    redis.call('PUBLISH', pub, '{"data":' .. data .. ',"event":' .. cjson.encode(event) ..
      ',"channel":' .. cjson.encode(channel) .. ',"id":"' .. id .. '"}')
    ids[i] = id
  end
end
return ids
