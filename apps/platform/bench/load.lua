-- The order load of `npm run bench:e2e`, run by wrk (a C load generator: its own process, a few
-- percent of a core at these rates). Arguments after `--`: <config file> <mode>.
--   mode "orders": one order-path request per call: limits near the touch, marketable orders, and
--                  cancels of the sending user's own open orders (learnt from earlier answers).
--   mode "batch":  POST /orders/batch with 20 orders, or DELETE /orders/batch of own open orders.
--   mode "echo":   the same single-order body to the echo server (the ceiling of any route).
-- The config file has one "user <cookie>" line per user and one "market <id>" line per market.
-- done() prints one line "WRKJSON {...}": status counts, wrk's error counts, the latency histogram
-- (quantiles in microseconds), so several generator processes can be merged exactly, and how many
-- requests it built with how many orders/cancels in them (a batch carries up to 20).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local users, markets, mode, gen = {}, {}, "orders", "g"
counts = {} -- global: done() reads it from each thread with thread:get
sentRequests, sentItems = 0, 0 -- requests built and the orders/cancels they carry (done() reads them)
local n = 0

function init(args)
  mode = args[2] or "orders"
  gen = args[3] or "g"
  for line in io.lines(args[1]) do
    local kind, value = line:match("^(%S+) (.+)$")
    if kind == "user" then
      table.insert(users, { cookie = value, open = {} })
    elseif kind == "market" then
      table.insert(markets, value)
    end
  end
  math.randomseed(os.time() + #gen * 7919 + (tonumber(gen:match("%d+")) or 0))
end

local function limitBody(user, kind)
  local market = markets[math.random(#markets)]
  local yes = math.random() < 0.5
  local outcome = yes and "YES" or "NO"
  local qty = math.random(1, 3)
  n = n + 1
  local cid = string.format("%su%dn%d", gen, user, n)
  if kind < 0.78 then
    -- A limit near the touch: YES and NO bids 400..550, so a pair summing to 1000+ mints at once.
    local price = 50 * math.random(8, 11)
    return string.format(
      '{"marketId":"%s","outcome":"%s","side":"BUY","type":"LIMIT","pricePaise":%d,"quantity":%d,"clientOrderId":"%s"}',
      market, outcome, price, qty, cid)
  elseif kind < 0.9 then
    -- Marketable limit, immediate-or-cancel.
    return string.format(
      '{"marketId":"%s","outcome":"%s","side":"BUY","type":"LIMIT","pricePaise":600,"quantity":%d,"timeInForce":"IOC","clientOrderId":"%s"}',
      market, outcome, qty, cid)
  end
  -- Market order with a worst price.
  return string.format(
    '{"marketId":"%s","outcome":"%s","side":"BUY","type":"MARKET","pricePaise":650,"quantity":%d,"clientOrderId":"%s"}',
    market, outcome, qty, cid)
end

local json = { ["Content-Type"] = "application/json" }

local function headersFor(user)
  return { ["Content-Type"] = "application/json", ["Cookie"] = users[user].cookie }
end

local function sent(items)
  sentRequests = sentRequests + 1
  sentItems = sentItems + items
end

function request()
  if mode == "echo" then
    sent(1)
    return wrk.format("POST", "/api/v1/echo", json, limitBody(1, 0))
  end
  local u = math.random(#users)
  local user = users[u]
  local roll = math.random()
  if mode == "batch" then
    if roll < 0.2 and #user.open >= 5 then
      local ids = {}
      for i = 1, math.min(20, #user.open) do
        ids[i] = '"' .. table.remove(user.open) .. '"'
      end
      sent(#ids)
      return wrk.format("DELETE", "/api/v1/orders/batch", headersFor(u), '{"ids":[' .. table.concat(ids, ",") .. "]}")
    end
    local bodies = {}
    for i = 1, 20 do
      bodies[i] = limitBody(u, math.random())
    end
    sent(20)
    return wrk.format("POST", "/api/v1/orders/batch", headersFor(u), '{"orders":[' .. table.concat(bodies, ",") .. "]}")
  end
  if roll < 0.15 and #user.open > 0 then
    -- Cancel one of this user's own open orders: mostly the newest, sometimes an older one.
    local at = math.random() < 0.7 and #user.open or math.random(#user.open)
    local id = table.remove(user.open, at)
    sent(1)
    return wrk.format("DELETE", "/api/v1/orders/" .. id, headersFor(u), nil)
  end
  sent(1)
  return wrk.format("POST", "/api/v1/orders", headersFor(u), limitBody(u, math.random()))
end

local function remember(body)
  -- Every resting order the answer mentions goes to its owner's list (the clientOrderId says who).
  for id, user, status in body:gmatch('"id":"([^"]+)","marketId":"[^"]*","clientOrderId":"[^u"]*u(%d+)n%d+",[^}]-"status":"(%u+)"') do
    if status == "OPEN" then
      local list = users[tonumber(user)].open
      table.insert(list, id)
      if #list > 40 then table.remove(list, 1) end
    end
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if mode ~= "echo" and (status == 201 or (status == 200 and mode == "batch")) then
    remember(body)
  end
end

function done(summary, latency, requests)
  local byStatus = {}
  local sr, si = 0, 0
  for _, thread in ipairs(threads) do
    sr = sr + thread:get("sentRequests")
    si = si + thread:get("sentItems")
    local c = thread:get("counts")
    for status, count in pairs(c) do
      byStatus[status] = (byStatus[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(byStatus) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  -- The quantile function (percent -> microseconds), 0.5 % steps and 0.01 % steps above p99:
  -- enough to merge several generators' distributions into p50/p99/p99.9.
  local hist = {}
  local q = 0.5
  while q <= 100.0001 do
    table.insert(hist, string.format("[%.2f,%d]", q, latency:percentile(math.min(q, 100))))
    q = q + (q < 99 and 0.5 or 0.01)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"durationUs":%d,"requests":%d,"status":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"quantilesUs":[%s],"sent":{"requests":%d,"items":%d}}\n',
    summary.duration, summary.requests, table.concat(parts, ","), e.connect, e.read, e.write, e.timeout,
    table.concat(hist, ","), sr, si))
end
