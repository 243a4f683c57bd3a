-- wrk script for `scripts/bench orders`: POST /api/orders, each request a new order (the
-- server inserts it, calls unifiedorder at the simulator over HTTPS, stores the prepay_id and
-- signs the wx.requestPayment parameters).
--
-- TOKENS: a file of bearer tokens (one logged-in user a line). Request n of thread t (of
-- THREADS) is combination k = t + n × THREADS: user k mod U, product 1–3, quantity 1–99, so no
-- two requests ask for the same (user, product, quantity) — which the server would answer with
-- the first, still payable, order (its double-tap rule) instead of creating one.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "tally.lua")

local tokens = lines_of("TOKENS")

function init(args)
  nthreads = tonumber(os.getenv("THREADS") or "1")
  k = id
  acked, refused = 0, 0
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

-- Created: 201 with the payment parameters (200 would be an earlier order given back).
function acknowledged(status, body)
  return status == 201 and string.find(body, "prepay_id=", 1, true) ~= nil
end
