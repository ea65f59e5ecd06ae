-- wrk script for bench_http.py: POST /api/v1/aid/screenings with the rows of a generated intake.
-- Arguments (after "--"): the file of JSON bodies, one per line, and the bearer token.
-- Each thread starts at its own place in the file and builds every request once, in init().

local requests = {}
local i = 0
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local headers = {["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json"}
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("POST", "/api/v1/aid/screenings", headers, line)
  end
  i = (id or 0) * 997 % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p90_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
