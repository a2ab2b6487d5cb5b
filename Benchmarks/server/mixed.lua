-- wrk script: GET recommendations for random users, and every LOAD_WRITE_EVERY-th request (10:
-- 90% reads / 10% writes; 1: writes only; 0: reads only) a POST /v1/events with one interaction
-- carrying a unique id, pausing LOAD_DELAY_MS per connection between requests. Run with as many
-- connections as threads (-t N -c N), so each thread has one request in flight and response()
-- belongs to the last request: acked events are appended to
-- WORK/acked-<run>-<LOAD_ROLE><thread>.tsv as "id<TAB>user<TAB>item<TAB>ts" (give concurrent wrk
-- processes of one run different LOAD_ROLEs).
local users = tonumber(os.getenv("LOAD_USERS") or "100000")
local items = tonumber(os.getenv("LOAD_ITEMS") or "10000")
local write_every = tonumber(os.getenv("LOAD_WRITE_EVERY") or "10")   -- 1 write in N requests; 0: reads only
local run = os.getenv("LOAD_RUN") or "run"
local dir = os.getenv("LOAD_DIR") or "."
local token = os.getenv("INTERESTS_TOKEN")
local delay_ms = tonumber(os.getenv("LOAD_DELAY_MS") or "0")   -- pause per connection between requests
local role = os.getenv("LOAD_ROLE") or ""
-- `interests corpus generate` pads user numbers to max(6, digits(users)) and item numbers to
-- max(5, digits(items)); the scale harness passes its widths.
local user_format = "u%0" .. (os.getenv("LOAD_USER_WIDTH") or "6") .. "d"
local item_format = "P%0" .. (os.getenv("LOAD_ITEM_WIDTH") or "5") .. "d"
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  math.randomseed((role == "" and 1000 or 4242) + id)
  n = 0
  last = nil
  statuses = {}
  acked = io.open(dir .. "/acked-" .. run .. "-" .. role .. id .. ".tsv", "w")
end

function delay()
  return delay_ms
end

function request()
  n = n + 1
  if write_every > 0 and n % write_every == 0 then
    local eid = string.format("L%s%s-%d-%d", role, run, id, n)
    local user = string.format(user_format, math.random(users))
    local item = string.format(item_format, math.random(items))
    local ts = 1760000000 + n
    last = eid .. "\t" .. user .. "\t" .. item .. "\t" .. ts
    local body = string.format('[{"id":"%s","type":"interaction","user":"%s","item":"%s","action":"view","ts":%d}]', eid, user, item, ts)
    local headers = {["Content-Type"] = "application/json"}
    if token then headers["Authorization"] = "Bearer " .. token end
    return wrk.format("POST", "/v1/events", headers, body)
  end
  last = nil
  -- With a token the service wants it on reads too (unless it runs with --public-reads).
  local read_headers = token and {["Authorization"] = "Bearer " .. token} or nil
  return wrk.format("GET", string.format("/v1/users/" .. user_format .. "/recommendations?k=10", math.random(users)), read_headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if last and status == 200 then
    acked:write(last, "\n")
    acked:flush()
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, c in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + c end
  end
  local parts = {}
  for s, c in pairs(total) do table.insert(parts, string.format('"%d":%d', s, c)) end
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, table.concat(parts, ",")))
end
