-- Appends one or more events atomically per event: XADD (trimmed to MAXLEN), PEXPIRE and PUBLISH
-- of the original's envelope, in one script call, so no event is ever half written.
-- KEYS[i]: the stream of event i. ARGV[1]: what the envelope ends with after "prev" (the
-- database, as ',"db":<n>', when it is not 0: Pub/Sub spans databases, streams do not). Then six
-- per event: data (JSON text), event, channel, pub/sub channel, maxlen (0: none), expire ms (0: none)
-- The envelope also has "prev": an id such that no entry of the stream lies between it and this
-- one, so a reader that has every entry up to prev knows this one is next without a read; and
-- "ttl", the expiry in ms this write gave the key (-1: it set none, and one set before stays), by
-- which a reader tells a stream that expired from one Redis lost.
-- Returns one reply per event: its id, or "ERR <message>" (that event was not written; the
-- others were).
local ids = {}
local newest = {} -- per key written in this call: the id of its newest entry
local tail = ARGV[1]
for i = 1, #KEYS do
  local key = KEYS[i]
  local a = 1 + (i - 1) * 6
  local data, event, channel, pub = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  -- Compared as Lua numbers (doubles), passed on as the decimal text they came as: a double
  -- would reach Redis as 1e+17, which XADD refuses.
  local maxlen, ttl = ARGV[a + 5], ARGV[a + 6]
  local id
  -- A command refused after the XADD would leave the event stored but not published (a script
  -- error does not undo what it wrote) and fail the whole call: the ACL is asked first (Redis 7;
  -- where the function is missing, nothing is checked).
  local refused
  if redis.acl_check_cmd then
    if not redis.acl_check_cmd('PUBLISH', pub, '') then
      refused = 'NOPERM the Redis user may not publish to the Pub/Sub channel ' .. pub ..
        ' (grant it with ACL SETUSER <user> &' .. pub .. ', or allchannels)'
    elseif tonumber(ttl) > 0 and not redis.acl_check_cmd('PEXPIRE', key, ttl) then
      refused = 'NOPERM the Redis user may not run PEXPIRE on ' .. key ..
        ' (channels with expireAfter need it: ACL SETUSER <user> +pexpire)'
    end
  end
  -- With MAXLEN 1 the XADD trims the stream's newest entry, which "prev" must name: read it first.
  local newestBefore
  if not newest[key] and tonumber(maxlen) == 1 then
    local last = redis.pcall('XREVRANGE', key, '+', '-', 'COUNT', 1)
    if type(last) == 'table' and not last.err then newestBefore = last[1] and last[1][1] or '0-0' end
  end
  if refused then
    id = {err = refused}
  elseif tonumber(maxlen) > 0 then
    id = redis.pcall('XADD', key, 'MAXLEN', '=', maxlen, '*',
      'data', data, 'event', event, 'channel', channel)
  else
    id = redis.pcall('XADD', key, '*', 'data', data, 'event', event, 'channel', channel)
  end
  if type(id) == 'table' and id.err then
    if string.find(id.err, 'WRONGTYPE', 1, true) then
      local kind = redis.call('TYPE', key)['ok']
      ids[i] = 'ERR the key ' .. key .. ' holds a ' .. kind .. ', not a stream'
    else
      ids[i] = 'ERR ' .. id.err
    end
  else
    local prev = newest[key]
    if not prev then
      local ms, seq = string.match(id, '^(%d+)-(%d+)$')
      if seq ~= '0' and #seq < 16 then -- exact in a Lua number (a double) below 2^53
        prev = ms .. '-' .. string.format('%.0f', tonumber(seq) - 1) -- nothing lies between
      elseif newestBefore then
        prev = newestBefore
      else
        local before = redis.call('XREVRANGE', key, '(' .. id, '-', 'COUNT', 1)
        prev = before[1] and before[1][1] or '0-0'
      end
    end
    local expiry = '-1'
    if tonumber(ttl) > 0 then
      redis.call('PEXPIRE', key, ttl)
      expiry = ttl
    end
    redis.call('PUBLISH', pub, '{"data":' .. data .. ',"event":' .. cjson.encode(event) ..
      ',"channel":' .. cjson.encode(channel) .. ',"id":"' .. id .. '","prev":"' .. prev ..
      '","ttl":' .. expiry .. tail .. '}')
    newest[key] = id
    ids[i] = id
  end
end
return ids
