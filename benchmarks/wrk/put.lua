-- PUT 1 KiB JSON values to random keys of one map.
-- wrk -t2 -c64 -d30s -s put.lua http://127.0.0.1:8080 -- <keys> <map>
-- Headers given to wrk with -H (such as Authorization: Bearer <token>) go on these requests too.
local function with_wrk_headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

local keys, map
local body = '{"v":"' .. string.rep("x", 1016) .. '"}' -- 1024 bytes

function init(args)
  keys = tonumber(args[1] or "100000")
  map = args[2] or "bench"
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local path = "/v1/maps/" .. map .. "/entries/k" .. math.random(0, keys - 1)
  return wrk.format("PUT", path, with_wrk_headers({ ["Content-Type"] = "application/json" }), body)
end

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    s.status, s.connect, s.read, s.write, s.timeout))
end
