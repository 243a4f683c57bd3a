-- wrk script for `scripts/bench orders`: POST /api/orders, each request a new order (the
-- server inserts it, calls unifiedorder at the simulator over HTTPS, stores the prepay_id and
-- signs the wx.requestPayment parameters).
--
-- TOKENS: a file of bearer tokens (one logged-in user a line). Request n of thread t (of
-- THREADS) is combination k = t + n × THREADS: user k mod U, product 1–3, quantity 1–99, so no
-- two requests ask for the same (user, product, quantity) — which the server would answer with
-- the first, still payable, order (its double-tap rule) instead of creating one.

local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  tokens[#tokens + 1] = line
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  nthreads = tonumber(os.getenv("THREADS") or "1")
  k = id
  created, refused = 0, 0
end

function request()
  local u = #tokens
  local user = k % u
  local rest = math.floor(k / u)
  local product = rest % 3 + 1
  local quantity = math.floor(rest / 3) % 99 + 1
  k = k + nthreads
  return wrk.format("POST", "/api/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[user + 1],
  }, string.format('{"product_id":%d,"quantity":%d}', product, quantity))
end

function response(status, headers, body)
  if status == 201 and string.find(body, "prepay_id=", 1, true) then
    created = created + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local created_total, refused_total = 0, 0
  for _, t in ipairs(threads) do
    created_total = created_total + t:get("created")
    refused_total = refused_total + t:get("refused")
  end
  io.write(string.format("RESULT requests=%d acked=%d refused=%d errors=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, created_total, refused_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
