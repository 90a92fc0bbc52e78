-- Writes keys k0..k<keys-1> once each, threads taking turns; stops itself when done.
-- wrk -t2 -c64 -d300s -s load.lua http://127.0.0.1:8080 -- <keys> <map>
-- Headers given to wrk with -H (such as Authorization: Bearer <token>) go on these requests too.
local function with_wrk_headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  thread:set("stride", 0)
  table.insert(threads, thread)
  counter = counter + 1
end

local keys, map, next_key, step
local body = '{"v":"' .. string.rep("x", 1016) .. '"}'

function init(args)
  keys = tonumber(args[1] or "100000")
  map = args[2] or "bench"
  next_key = id - 1
  step = #args >= 3 and tonumber(args[3]) or 2
end

function request()
  if next_key >= keys then
    wrk.thread:stop()
  end
  local path = "/v1/maps/" .. map .. "/entries/k" .. next_key
  next_key = next_key + step
  return wrk.format("PUT", path, with_wrk_headers({ ["Content-Type"] = "application/json" }), body)
end
