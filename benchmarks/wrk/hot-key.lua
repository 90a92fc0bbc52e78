-- PUT to one key from every connection: the worst case for a partition's write path.
-- wrk -t2 -c64 -d30s -s hot-key.lua http://127.0.0.1:8080
local body = '{"v":"' .. string.rep("x", 1016) .. '"}'

function request()
  return wrk.format("PUT", "/v1/maps/bench/entries/hot", { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    s.status, s.connect, s.read, s.write, s.timeout))
end
