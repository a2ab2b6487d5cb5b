-- wrk script: POST /v1/events with one uniquely-identified interaction, pausing LOAD_DELAY_MS
-- per connection between requests (-t N -c N: about N·1000/(LOAD_DELAY_MS + latency) writes a
-- second). Acked events go to WORK/acked-<run>-w<thread>.tsv.
local users = tonumber(os.getenv("LOAD_USERS") or "100000")
local items = tonumber(os.getenv("LOAD_ITEMS") or "10000")
local delay_ms = tonumber(os.getenv("LOAD_DELAY_MS") or "10")
local run = os.getenv("LOAD_RUN") or "run"
local dir = os.getenv("LOAD_DIR") or "."
local token = os.getenv("INTERESTS_TOKEN")
local threads = {}

local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  math.randomseed(4242 + id)
  n = 0
  statuses = {}
  acked = io.open(dir .. "/acked-" .. run .. "-w" .. id .. ".tsv", "w")
end

function delay()
  return delay_ms
end

function request()
  n = n + 1
  local eid = string.format("W%s-%d-%d", run, id, n)
  local user = string.format("u%06d", math.random(users))
  local item = string.format("P%05d", math.random(items))
  local ts = 1770000000 + n
  last = eid .. "\t" .. user .. "\t" .. item .. "\t" .. ts
  local body = string.format('[{"id":"%s","type":"interaction","user":"%s","item":"%s","action":"view","ts":%d}]', eid, user, item, ts)
  local headers = {["Content-Type"] = "application/json"}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/v1/events", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
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
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ",")))
end
