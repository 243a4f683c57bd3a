-- wrk script for `scripts/bench server`: POSTs signed payment notifies to /wxpay/notify, each
-- order's notify once across all threads (thread t of T sends lines t, t+T, t+2T, …), so every
-- request is a real NOTPAY → PAID transition until the file runs out (then wrk is stopped by
-- its duration, which scripts/bench keeps shorter than the file).
--
-- BODIES: the file written by `notify_bench seed` (one XML document a line).
-- DELAY_MS: optional pause before each request on a connection, to offer a lower rate.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "tally.lua")

local bodies = lines_of("BODIES")

function init(args)
  nthreads = tonumber(os.getenv("THREADS") or "1")
  next_line = id + 1
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

function acknowledged(status, body)
  return status == 200 and string.find(body, "SUCCESS", 1, true) ~= nil
end
