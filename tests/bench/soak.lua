-- wrk script for tests/bench/soak.sh: mixed reads and writes of one ward officer's trainings.
--   50% GET /api/v1/trainings?limit=20&sort=-starts_on   25% GET /api/v1/trainings/{id}
--   15% POST /api/v1/trainings with an Idempotency-Key (one in five a retry of an earlier key)
--   10% PATCH /api/v1/trainings/{id} with If-Match: the version this thread last saw (412 when
--       another connection changed it first: an expected answer)
-- Environment: TOKEN (bearer), IDS (a file of training ids, one a line), UNIT (the unit id).
-- Each thread counts answers by class; done() prints one line: "counts 2xx 4xx-expected 4xx 5xx".
local token = os.getenv("TOKEN")
local unit = os.getenv("UNIT")
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  versions = {}
  keys = {}
  ok, expected, other4xx, server = 0, 0, 0, 0
  seq = 0
end

local function auth(extra)
  local h = { ["Authorization"] = "Bearer " .. token }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function request()
  local r = math.random()
  local id = ids[math.random(#ids)]
  if r < 0.50 then
    return wrk.format("GET", "/api/v1/trainings?limit=20&sort=-starts_on", auth())
  elseif r < 0.75 then
    return wrk.format("GET", "/api/v1/trainings/" .. id, auth())
  elseif r < 0.90 then
    local key
    if #keys > 0 and math.random() < 0.2 then
      key = keys[math.random(#keys)]
    else
      seq = seq + 1
      key = string.format("soak-%d-%d-%d-%d", tid, os.time(), seq, math.random(1e9))
      if #keys < 1000 then keys[#keys + 1] = key else keys[math.random(#keys)] = key end
    end
    -- The body follows from the key, so a retry sends the same request.
    local body = string.format(
      '{"unit_id":"%s","title":"Soak %s","starts_on":"2024-11-20","ends_on":"2024-11-20","topics":["gbv"],"participants":{"female":3,"male":2,"other":0}}',
      unit, key)
    return wrk.format("POST", "/api/v1/trainings",
      auth({ ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }), body)
  else
    local v = versions[id] or 1
    local body = string.format('{"participants":{"female":%d,"male":%d,"other":0}}', math.random(40), math.random(40))
    return wrk.format("PATCH", "/api/v1/trainings/" .. id,
      auth({ ["Content-Type"] = "application/json", ["If-Match"] = '"' .. v .. '"' }), body)
  end
end

function response(status, headers, body)
  if status < 400 then
    ok = ok + 1
  elseif status == 409 or status == 412 then
    expected = expected + 1
  elseif status >= 500 then
    server = server + 1
  else
    other4xx = other4xx + 1
  end
  -- A record's answer (one record, not a page): remember its version for the next PATCH.
  if body and #body < 8192 and string.sub(body, 1, 7) == '{"id":"' then
    local rid = string.match(body, '^{"id":"([0-9a-f-]+)"')
    local v = string.match(body, '"version":(%d+)')
    if rid and v then versions[rid] = tonumber(v) end
  end
end

function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("expected"); c = c + t:get("other4xx"); d = d + t:get("server")
  end
  io.write(string.format("counts %d %d %d %d\n", a, b, c, d))
end
