/**
 * The Lua scripts of the shared state. Each runs atomically in Redis and reads the time from `redis.call('TIME')`,
 * so the replicas' clocks never matter. A client key's or a deployment's limits are one string value (one GET, one
 * SET with its expiry: measured at about half the Redis CPU of a hash per bucket): "rc,rl,rt,tc,tl,tt" for the RPM
 * and TPM token buckets (capacity, level, last refill ms; capacity 0 for none), then for a deployment
 * ",cool,rq,tk": until when a 429 cooldown, an exhausted request window and an exhausted token window hold (ms). The
 * buckets follow TokenBucket's math (capacity per minute, continuous refill, a level that may go negative as a
 * debt); a bucket whose stored capacity differs from the configured one starts fresh (full). The value expires once
 * every bucket would be full again and every block is over. Money is compared exactly: Lua numbers are doubles, so
 * pico-dollar integers are split in two limbs of 9 and up to 11 digits.
 */

const LIB = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function read(key)
  local f = {}
  local v = redis.call('GET', key)
  if v then for x in string.gmatch(v, '[^,]+') do f[#f + 1] = tonumber(x) end end
  return f
end
local function bucket(f, i, cap, now)
  if not cap or cap <= 0 then return nil end
  local b = { cap = cap, level = cap, at = now }
  if f[i] == cap and f[i + 1] and f[i + 2] then
    b.level = f[i + 1]
    b.at = f[i + 2]
    if now > b.at then
      b.level = math.min(cap, b.level + (now - b.at) * cap / 60000)
      b.at = now
    end
  end
  return b
end
local function blocks(f)
  if #f < 9 then return nil end
  return { f[7], f[8], f[9] }
end
local function part(b)
  if not b then return '0,0,0' end
  return string.format('%.17g,%.17g,%.17g', b.cap, b.level, b.at)
end
local function full_in(b)
  if not b then return 0 end
  return (b.cap - b.level) * 60000 / b.cap
end
local function write(key, r, t, blk, now)
  local v = part(r) .. ',' .. part(t)
  local ttl = math.max(full_in(r), full_in(t))
  if blk then
    v = v .. string.format(',%.17g,%.17g,%.17g', blk[1], blk[2], blk[3])
    ttl = math.max(ttl, blk[1] - now, blk[2] - now, blk[3] - now)
  end
  redis.call('SET', key, v, 'PX', math.ceil(ttl) + 1000)
end
local function wait(b, need)
  local n = math.min(need, b.cap)
  if b.level >= n then return nil end
  return math.ceil((n - b.level) * 60000 / b.cap)
end
`;

const LIMBS = `
local BASE = 1000000000
local function limbs(s)
  s = tostring(s or '0')
  if string.sub(s, 1, 1) == '-' then return { 0, 0 } end
  local n = string.len(s)
  if n <= 9 then return { 0, tonumber(s) } end
  return { tonumber(string.sub(s, 1, n - 9)), tonumber(string.sub(s, n - 8)) }
end
local function plus(a, b)
  local lo = a[2] + b[2]
  local carry = math.floor(lo / BASE)
  return { a[1] + b[1] + carry, lo - carry * BASE }
end
local function less(a, b)
  return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end
local function text(a)
  if a[1] == 0 then return string.format('%.0f', a[2]) end
  return string.format('%.0f', a[1]) .. string.format('%09.0f', a[2])
end
`;

/**
 * Takes one request and ARGV[3] tokens from a key's buckets, both or neither. KEYS: the key's limits. ARGV: rpm
 * capacity (0: none), tpm capacity (0: none), tokens. Answers {0} or {1 requests | 2 tokens, capacity, retry ms}.
 */
export const KEY_TAKE = `${LIB}
local now = now_ms()
local rc, tc, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local f = read(KEYS[1])
local r, t = bucket(f, 1, rc, now), bucket(f, 4, tc, now)
if r then local w = wait(r, 1) if w then return { 1, rc, w } end end
if t and n > 0 then local w = wait(t, n) if w then return { 2, tc, w } end end
if r then r.level = r.level - 1 end
if t then t.level = t.level - n end
write(KEYS[1], r, t, nil, now)
return { 0 }
`;

/**
 * Takes (ARGV[2] > 0) or gives back (< 0, never above capacity) tokens of a TPM bucket, keeping the rest of the
 * value. KEYS: the limits. ARGV: tpm capacity, delta.
 */
export const BUCKET_ADJUST = `${LIB}
local now = now_ms()
local f = read(KEYS[1])
local t = bucket(f, 4, tonumber(ARGV[1]), now)
if not t then return 0 end
local d = tonumber(ARGV[2])
if d > 0 then t.level = t.level - d else t.level = math.min(t.cap, t.level - d) end
write(KEYS[1], bucket(f, 1, f[1], now), t, blocks(f), now)
return 1
`;

/**
 * A call to a deployment: honours the shared cooldown and blocks, then takes one request and ARGV[3] tokens.
 * KEYS: the deployment's limits. ARGV: rpm capacity, tpm capacity, tokens. Answers {0} or {1 rpm | 2 tpm | 3
 * cooling down, retry ms}.
 */
export const DEPLOYMENT_TAKE = `${LIB}
local now = now_ms()
local rc, tc, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local f = read(KEYS[1])
local blk = blocks(f) or { 0, 0, 0 }
if now < blk[1] then return { 3, math.ceil(blk[1] - now) } end
if now < blk[2] then return { 1, math.ceil(blk[2] - now) } end
local r, t = bucket(f, 1, rc, now), bucket(f, 4, tc, now)
if r then local w = wait(r, 1) if w then return { 1, w } end end
if now < blk[3] then return { 2, math.ceil(blk[3] - now) } end
if t then local w = wait(t, n) if w then return { 2, w } end end
if r then r.level = r.level - 1 end
if t then t.level = t.level - n end
write(KEYS[1], r, t, blk, now)
return { 0 }
`;

/**
 * The provider's rate-limit headers: clamps the buckets to what remains and blocks an exhausted window until its
 * reset, then publishes the news when given. KEYS: the limits. ARGV: rpm capacity, tpm capacity, remaining requests
 * ('' unknown), remaining tokens ('' unknown), reset ms, channel ('' none), message.
 */
export const DEPLOYMENT_HINT = `${LIB}
local now = now_ms()
local f = read(KEYS[1])
local bs = { bucket(f, 1, tonumber(ARGV[1]), now), bucket(f, 4, tonumber(ARGV[2]), now) }
local blk = blocks(f) or { 0, 0, 0 }
for i = 1, 2 do
  if ARGV[2 + i] ~= '' then
    local rem = tonumber(ARGV[2 + i])
    if bs[i] and rem < bs[i].level then bs[i].level = rem end
    if rem <= 0 then blk[1 + i] = math.max(blk[1 + i], now + tonumber(ARGV[5])) end
  end
end
write(KEYS[1], bs[1], bs[2], blk, now)
if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
return 1
`;

/** A 429 cooldown of ARGV[1] ms on a deployment, published. KEYS: the limits. ARGV: ms, channel, message. */
export const DEPLOYMENT_COOLDOWN = `${LIB}
local now = now_ms()
local f = read(KEYS[1])
local blk = blocks(f) or { 0, 0, 0 }
blk[1] = math.max(blk[1], now + tonumber(ARGV[1]))
write(KEYS[1], bucket(f, 1, f[1], now), bucket(f, 4, f[4], now), blk, now)
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`;

/** A replica's heartbeat: KEYS: the replicas zset (member: id, score: expiry ms). ARGV: id, ttl ms. Answers the live count. */
export const HEARTBEAT = `${LIB}
local now = now_ms()
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZCARD', KEYS[1])
`;

/**
 * Reserves ARGV[2] pico-dollars on n scopes when each has headroom (spent plus the live replicas' reservations under
 * its budget). The reserving replica renews its own heartbeat: a reservation is only ever held by a replica the set
 * counts (after Redis restarted empty too). KEYS: replicas zset, epoch, spent 1..n, reserved hash 1..n (field: replica
 * id). ARGV: replica id, picos, fresh epoch, heartbeat ttl ms, reserved expiry (epoch ms), budget 1..n. Answers
 * {'seed', i...} when a spent counter is missing (nothing changed), {'no', i, held} for the first scope without
 * headroom, or {'ok', epoch}.
 */
export const BUDGET_RESERVE = `${LIB}${LIMBS}
local n = (#KEYS - 2) / 2
local spent = redis.call('MGET', unpack(KEYS, 3, 2 + n))
local missing = { 'seed' }
for i = 1, n do
  if not spent[i] then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end
local now = now_ms()
local me = ARGV[1]
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), me)
for i = 1, n do
  local held = limbs(spent[i])
  local res = redis.call('HGETALL', KEYS[2 + n + i])
  for j = 1, #res, 2 do
    local live = res[j] == me or (tonumber(redis.call('ZSCORE', KEYS[1], res[j])) or 0) > now
    if live then held = plus(held, limbs(res[j + 1])) else redis.call('HDEL', KEYS[2 + n + i], res[j]) end
  end
  if not less(held, limbs(ARGV[5 + i])) then return { 'no', i, text(held) } end
end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch)
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[2 + n + i], me, ARGV[2])
  redis.call('PEXPIREAT', KEYS[2 + n + i], ARGV[5])
end
return { 'ok', epoch }
`;

/**
 * Gives a reservation back, unless Redis lost it (its epoch changed: restarted empty). KEYS: epoch, reserved hash
 * 1..n. ARGV: replica id, picos, epoch ('' unknown).
 */
export const BUDGET_RELEASE = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[3] then return 0 end
for i = 2, #KEYS do
  if redis.call('HINCRBY', KEYS[i], ARGV[1], '-' .. ARGV[2]) <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
end
return 1
`;

/**
 * Counts committed spend on the spent counters that exist (a missing one is seeded from the ledger, which holds these
 * rows already). KEYS: spent 1..n. ARGV: picos 1..n. Answers how many counters were missing.
 */
export const BUDGET_ADD = `
local missing = 0
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i]) else missing = missing + 1 end
end
return missing
`;
