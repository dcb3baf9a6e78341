-- wrk script for bench/serving.py --actions-by wrk: each request is one learner rating one course, a one-event
-- trackEvents call as a platform sends it (WRK_ADMIN's token, a random learner of WRK_LEARNERS, a random course
-- of the WRK_COURSES file, a fresh eventId), paced by `delay`: each connection waits WRK_DELAY_MS between its
-- answer and its next call. Latency is wrk's own: from the request's write to its answer, without the delay.
function init(args)
  courses = {}
  for line in io.lines(os.getenv("WRK_COURSES")) do courses[#courses + 1] = line end
  learners = tonumber(os.getenv("WRK_LEARNERS"))
  token = os.getenv("WRK_ADMIN")
  nonce = os.getenv("WRK_NONCE")
  pause = tonumber(os.getenv("WRK_DELAY_MS"))
  math.randomseed(tonumber(os.getenv("WRK_SEED")) + id)
  sent = 0
end

function setup(thread)
  thread:set("id", (count or 0))
  count = (count or 0) + 1
end

function delay()
  return pause
end

function request()
  sent = sent + 1
  local body = string.format(
    '{"query":"mutation($e: [EventInput!]!, $u: ID) { trackEvents(events: $e, userId: $u) { accepted errors { code message } } }",' ..
    '"variables":{"u":"learner-%04d","e":[{"eventId":"act-%s-%d-%d","type":"rate","courseId":"%s","properties":{"rating":%d}}]}}',
    math.random(0, learners - 1), nonce, id, sent, courses[math.random(1, #courses)], math.random(4, 5))
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json",
                                         ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"accepted":%s*1[,}]') then
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors=%d p50_us=%d p99_us=%d max_us=%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
