-- Reads a range of a channel's stream together with the stream's state, in one round trip.
-- KEYS[1]: the stream. ARGV: mode ("asc" or "desc"), from, to (XRANGE bounds, "(" for
-- exclusive), count (0: state only), and optionally an id the reader took from the stream, to be
-- checked.
-- Returns {entries, first id, last generated id, max deleted id, length, entries added, PTTL of
-- the key (-2: no key, or not allowed; -1: no expiry), whether the stream holds the id to check
-- (1 when none was given), the newest id it holds before that one when it does not, Redis's clock
-- in Unix ms}; "0-0" where there is no such id. (Trimming does not move "max deleted id": the
-- caller derives what trimming removed from length and entries added.)
-- A key that holds something other than a stream is an error naming its type.
local key = KEYS[1]
local check = ARGV[5]
local kind = redis.call('TYPE', key)['ok']
local time = redis.pcall('TIME')
local now = '0' -- the ACL refuses TIME: the reader uses its own clock
if type(time) == 'table' and time[2] then
  now = string.format('%.0f', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))
end
if kind == 'none' then
  return {{}, '0-0', '0-0', '0-0', 0, 0, -2, check and 0 or 1, '0-0', now}
end
if kind ~= 'stream' then
  return redis.error_reply('WRONGTYPE the key ' .. key .. ' holds a ' .. kind .. ', not a stream')
end
local info = redis.call('XINFO', 'STREAM', key)
local first, last, deleted, length, added = '0-0', '0-0', '0-0', 0, 0
for i = 1, #info, 2 do
  local name = info[i]
  if name == 'first-entry' and info[i + 1] then first = info[i + 1][1]
  elseif name == 'last-generated-id' then last = info[i + 1]
  elseif name == 'max-deleted-entry-id' then deleted = info[i + 1]
  elseif name == 'length' then length = info[i + 1]
  elseif name == 'entries-added' then added = info[i + 1]
  end
end
local entries = {}
local count = tonumber(ARGV[4])
if count > 0 then
  if ARGV[1] == 'desc' then
    entries = redis.call('XREVRANGE', key, ARGV[3], ARGV[2], 'COUNT', count)
  else
    entries = redis.call('XRANGE', key, ARGV[2], ARGV[3], 'COUNT', count)
  end
end
local held, before = 1, '0-0'
if check then
  if #redis.call('XRANGE', key, check, check) == 0 then
    held = 0
    local b = redis.call('XREVRANGE', key, '(' .. check, '-', 'COUNT', 1)
    if b[1] then before = b[1][1] end
  end
end
local pttl = redis.pcall('PTTL', key)
if type(pttl) ~= 'number' then pttl = -2 end -- the ACL refuses PTTL: nothing known
return {entries, first, last, deleted, length, added, pttl, held, before, now}
