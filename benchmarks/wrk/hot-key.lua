-- PUT to one key from every connection: the worst case for a partition's write path.
-- wrk -t2 -c64 -d30s -s hot-key.lua http://127.0.0.1:8080
-- Headers given to wrk with -H (such as Authorization: Bearer <token>) go on these requests too.
local function with_wrk_headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

local body = '{"v":"' .. string.rep("x", 1016) .. '"}'

function request()
  return wrk.format("PUT", "/v1/maps/bench/entries/hot", with_wrk_headers({ ["Content-Type"] = "application/json" }), body)
end

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    s.status, s.connect, s.read, s.write, s.timeout))
end
