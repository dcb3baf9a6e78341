-- The request mix of bench/soak.py, for wrk. soak.py writes a copy to a temporary file with the data
-- prepended: TOKENS (learner tokens), COURSES, SKILLS, EXERCISES, SEARCHES (lists of strings), MIX ({kind,
-- weight} pairs), RATE (requests/s of the whole run, 0 = closed loop), THREADS (wrk's -t), TAG (unique per
-- run: event ids are TAG-thread-n) and EXPECTED (error codes not counted as errors).
--
-- Pacing: each thread hands out send times RATE / THREADS a second apart, and delay() holds a connection's
-- next request until its slot (wrk's latency starts when a request is written, so the wait is not in it).
-- While every connection is busy the slots fall behind; at most 1 s of them is made up.
--
-- Counted per thread (globals, read by done() through thread:get): non-2xx statuses, GraphQL `errors` in 200
-- bodies (top-level or a payload's non-empty `errors`), events rejected in a 200 body, and the error codes
-- seen. done() prints one line, "SOAK {json}", that soak.py parses.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock_id, soak_timespec *into);
]]
local clock = ffi.new("soak_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local QUERIES = {
  me = '{ me { id displayName goals interests personalizationEnabled } }',
  recommendations = '{ recommendations(first: 10) { requestId strategy fallback '
    .. 'items { course { id title } score source reasons { code text } } } }',
  search = 'query($s: String, $n: Int!) { courses(search: $s, first: $n) { totalCount edges { node { id title } } } }',
  track = 'mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted duplicates rejected '
    .. 'results { index status code } errors { code message } } }',
  next = 'query($s: ID!) { nextExercises(skill: $s, first: 5) { exercise { id prompt } reason skill predictedCorrect } }',
  reviews = '{ reviewQueue(first: 10) { id exerciseId due recallProbability reviews } }',
}

local threads = {}
local counter = 0
local events_made = 0

-- counters of this thread
sent = {}
statuses = 0
graphql_errors = 0
rejected = 0
fallbacks = 0
codes = {}
first_error = ""

local function quoted(text)
  return '"' .. (text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end)) .. '"'
end

local function graphql(query, variables)
  return '{"query":' .. quoted(query) .. (variables and (',"variables":' .. variables) or '') .. '}'
end

local function pick(list)
  return list[math.random(#list)]
end

local function event()
  events_made = events_made + 1
  local id = quoted(string.format("%s-%d-%d", TAG, tid, events_made))
  local course = quoted(pick(COURSES))
  local stamp = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local common = '"eventId":' .. id .. ',"timestamp":"' .. stamp .. '","sessionId":"' .. TAG .. '-' .. tid .. '"'
  local roll = math.random(4)
  if roll == 1 then
    return '{' .. common .. ',"type":"course_view","courseId":' .. course .. '}'
  elseif roll == 2 then
    return '{' .. common .. ',"type":"progress","courseId":' .. course
      .. string.format(',"properties":{"progress":%.2f}}', math.random())
  elseif roll == 3 then
    return '{' .. common .. ',"type":"quiz_answer","properties":{"item_id":' .. quoted(pick(EXERCISES))
      .. string.format(',"correct":%s,"response_time_ms":%d}}', math.random(2) == 1 and "true" or "false",
                       math.random(3000, 30000))
  end
  return '{' .. common .. ',"type":"rate","courseId":' .. course
    .. string.format(',"properties":{"rating":%d}}', math.random(5))
end

local function events()
  local made = {}
  for i = 1, math.random(5) do made[i] = event() end
  return '[' .. table.concat(made, ',') .. ']'
end

local function kind()
  local roll, total = math.random(), 0
  for _, entry in ipairs(MIX) do
    total = total + entry[2]
    if roll <= total then return entry[1] end
  end
  return MIX[#MIX][1]
end

local function body_of(chosen)
  if chosen == "search" then
    return "/graphql", graphql(QUERIES.search, '{"s":' .. quoted(pick(SEARCHES)) .. ',"n":10}')
  elseif chosen == "track" then
    return "/graphql", graphql(QUERIES.track, '{"e":' .. events() .. '}')
  elseif chosen == "rest" then
    return "/v1/events", '{"events":' .. events() .. '}'
  elseif chosen == "next" then
    return "/graphql", graphql(QUERIES.next, '{"s":' .. quoted(pick(SKILLS)) .. '}')
  end
  return "/graphql", graphql(QUERIES[chosen])
end

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
end

if RATE > 0 then
  local interval, slot = 1000 * THREADS / RATE, nil
  function delay()
    local now = now_ms()
    if slot == nil or slot < now - 1000 then slot = now end
    slot = slot + interval
    return math.max(0, math.floor(slot - now))
  end
end

function request()
  counter = counter + 1
  local token = TOKENS[((tid - 1) * 7919 + counter) % #TOKENS + 1]
  local chosen = kind()
  sent[chosen] = (sent[chosen] or 0) + 1
  local path, body = body_of(chosen)
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
                    body)
end

local function note(code, body)
  codes[code] = (codes[code] or 0) + 1
  if first_error == "" then first_error = body:sub(1, 400) end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    statuses = statuses + 1
    note("HTTP_" .. status, body)
    return
  end
  if body:find('"errors":%s*%[%s*{') then
    local code = body:match('"code":%s*"([%w_]+)"') or "NO_CODE"
    if not EXPECTED[code] then
      graphql_errors = graphql_errors + 1
      note(code, body)
    end
  elseif body:find('"rejected":%s*[1-9]') then
    local code = body:match('"code":%s*"([%w_]+)"') or "NO_CODE"
    if not EXPECTED[code] then
      rejected = rejected + 1
      note("REJECTED_" .. code, body)
    end
  end
  if body:find('"fallback":%s*true') then fallbacks = fallbacks + 1 end
end

local function json_counts(counts)
  local parts = {}
  for name, count in pairs(counts) do parts[#parts + 1] = quoted(name) .. ":" .. count end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function add(into, counts)
  for name, count in pairs(counts) do into[name] = (into[name] or 0) + count end
end

function done(summary, latency, requests)
  local total = {statuses = 0, graphql_errors = 0, rejected = 0, fallbacks = 0}
  local all_codes, all_sent, sample = {}, {}, ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(total) do total[name] = total[name] + thread:get(name) end
    add(all_codes, thread:get("codes"))
    add(all_sent, thread:get("sent"))
    if sample == "" then sample = thread:get("first_error") end
  end
  local e = summary.errors
  io.write("SOAK {", string.format(
    '"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"connect":%d,"read":%d,"write":%d,"timeout":%d,"wrk_status":%d,',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.timeout, e.status),
    '"statuses":', total.statuses, ',"graphql_errors":', total.graphql_errors, ',"rejected":', total.rejected,
    ',"fallbacks":', total.fallbacks, ',"codes":', json_counts(all_codes), ',"sent":', json_counts(all_sent),
    ',"first_error":', quoted(sample), "}\n")
end
