-- wrk script for `scripts/bench server`: POSTs signed payment notifies to /wxpay/notify, each
-- order's notify once across all threads (thread t of T sends lines t, t+T, t+2T, …), so every
-- request is a real NOTPAY → PAID transition until the file runs out (then wrk is stopped by
-- its duration, which scripts/bench keeps shorter than the file).
--
-- BODIES: the file written by `notify_bench seed` (one XML document a line).
-- DELAY_MS: optional pause before each request on a connection, to offer a lower rate.

local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  nthreads = tonumber(os.getenv("THREADS") or "1")
  next_line = id
  delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
  acked, refused = 0, 0
end

function request()
  local body = bodies[next_line]
  if body == nil then
    body = bodies[1] -- past the end: a repeat, acknowledged without a transition (scripts/bench checks for this)
  end
  next_line = next_line + nthreads
  return wrk.format("POST", "/wxpay/notify", { ["Content-Type"] = "text/xml" }, body)
end

function delay()
  return delay_ms
end

function response(status, headers, body)
  if status == 200 and string.find(body, "SUCCESS", 1, true) then
    acked = acked + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local acked_total, refused_total = 0, 0
  for _, t in ipairs(threads) do
    acked_total = acked_total + t:get("acked")
    refused_total = refused_total + t:get("refused")
  end
  io.write(string.format("RESULT requests=%d acked=%d refused=%d errors=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, acked_total, refused_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
