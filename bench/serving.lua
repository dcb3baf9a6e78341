-- wrk script for bench/serving.py: each request is the next learner's recommendations query with their own
-- token (tokens file: one per line, WRK_TOKENS). WRK_ONCE=1: every learner once (split across threads), then
-- the thread stops: the cold pass after a restart.
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("WRK_TOKENS")) do tokens[#tokens + 1] = line end
  body = os.getenv("WRK_BODY")
  once = os.getenv("WRK_ONCE") == "1"
  nthreads = tonumber(os.getenv("WRK_THREADS"))
  sent = 0
  answered = 0
  mine = math.floor(#tokens / nthreads)
  offset = tonumber(os.getenv("WRK_OFFSET") or "0")
end

function request()
  local index
  if once then
    index = id * mine + (sent % mine)
  else
    index = (offset + sent * nthreads + id) % #tokens
  end
  sent = sent + 1
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json",
                                         ["Authorization"] = "Bearer " .. tokens[index + 1]}, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
  elseif body:find('"errors"') then
    io.stderr:write("errors: " .. body:sub(1, 300) .. "\n")
  end
  if once and answered >= mine then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors=%d p50_us=%d p99_us=%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
