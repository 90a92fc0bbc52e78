-- Reads and writes of 1 KiB values to uniform random keys k0..k<keys-1>, in the request format of
-- one of three systems, so that one load generator (wrk) drives them all the same way:
--   actorgrid  GET / PUT /v1/maps/<map>/entries/<key> (JSON value)
--   hazelcast  GET / POST /hazelcast/rest/maps/<map>/<key> (its REST API; the same JSON bytes)
--   etcd       POST /v3/kv/range / POST /v3/kv/put (its gRPC gateway; key and value in base64)
--
-- wrk -t2 -c64 -d30s -s mix.lua <url> -- <system> <keys> <read fraction> [map] [load]
--   read fraction 0.5: YCSB workload A (50 % reads, 50 % updates); 1: workload C (reads only);
--   0: writes only. With "load" as the fifth argument each thread writes its share of the keys
--   once, in order, and stops (the bulk load).
-- Headers given to wrk with -H go on these requests too.
local system, keys, reads, map, loading
local threads, counter = {}, 1
local next_key, step

local value = '{"v":"' .. string.rep("x", 1016) .. '"}' -- 1024 bytes

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = b64chars:sub(c1 + 1, c1 + 1) .. b64chars:sub(c2 + 1, c2 + 1)
      .. (b and b64chars:sub(c3 + 1, c3 + 1) or "=") .. (c and b64chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

local function headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

local json = { ["Content-Type"] = "application/json" }
local etcd_value

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  system = args[1] or "actorgrid"
  keys = tonumber(args[2] or "100000")
  reads = tonumber(args[3] or "0.5")
  map = args[4] or "bench"
  loading = args[5] == "load"
  next_key = id - 1
  step = tonumber(args[6] or "2") -- the number of wrk threads (-t)
  etcd_value = base64(value)
  math.randomseed(os.time() + id * 7919 + math.floor(os.clock() * 1000000))
end

local function read(key)
  if system == "actorgrid" then
    return wrk.format("GET", "/v1/maps/" .. map .. "/entries/" .. key)
  elseif system == "hazelcast" then
    return wrk.format("GET", "/hazelcast/rest/maps/" .. map .. "/" .. key)
  else
    return wrk.format("POST", "/v3/kv/range", headers(json), '{"key":"' .. base64(map .. "/" .. key) .. '"}')
  end
end

local function write(key)
  if system == "actorgrid" then
    return wrk.format("PUT", "/v1/maps/" .. map .. "/entries/" .. key, headers(json), value)
  elseif system == "hazelcast" then
    return wrk.format("POST", "/hazelcast/rest/maps/" .. map .. "/" .. key, headers(json), value)
  else
    return wrk.format("POST", "/v3/kv/put", headers(json),
      '{"key":"' .. base64(map .. "/" .. key) .. '","value":"' .. etcd_value .. '"}')
  end
end

function request()
  if loading then
    if next_key >= keys then
      wrk.thread:stop()
    end
    local key = "k" .. next_key
    next_key = next_key + step
    return write(key)
  end
  local key = "k" .. math.random(0, keys - 1)
  if reads >= 1 or (reads > 0 and math.random() < reads) then
    return read(key)
  end
  return write(key)
end

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    s.status, s.connect, s.read, s.write, s.timeout))
end
