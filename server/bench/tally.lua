-- Shared by the wrk scripts of `scripts/bench` (loaded with dofile): reads fixture files,
-- numbers the threads (`id`, from 0), counts each answer as acknowledged or refused by the
-- script's `acknowledged(status, body)`, and prints one line for scripts/bench to read:
--   RESULT requests=… acked=… refused=… errors=… seconds=… p50_ms=… p99_ms=…

-- The lines of the file named by environment variable `name`.
function lines_of(name)
  local out = {}
  for line in io.lines(os.getenv(name)) do
    out[#out + 1] = line
  end
  return out
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function response(status, headers, body)
  if acknowledged(status, body) then
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
