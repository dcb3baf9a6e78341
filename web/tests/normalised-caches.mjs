// Normalised client caches stay true after a mutation: Apollo Client (InMemoryCache, keyed `__typename:id`) and
// urql with @urql/exchange-graphcache (keyed by id), each with a fresh cache, against a live Pathwise server.
// For each client: `recommendations(first: 5)` and `me { enrollments }` from the network; `enroll` in the first
// recommended course, selecting the learner as the README says; then both queries again with `cache-only` (and
// `cache-first`), with no request sent: the course is gone from the list and in the enrolments. A second `enroll`
// that selects only the enrolment shows what a client that skips `user { recommendations }` keeps (a stale list).
// Usage: PATHWISE_GRAPHQL_URL=http://127.0.0.1:8000/graphql PATHWISE_TOKEN=<learner token> \
//   node tests/normalised-caches.mjs
// Prints a PASS/FAIL line per client, then one JSON object {passed, clients: [...]}; exits 1 if a client failed.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";

const url = process.env.PATHWISE_GRAPHQL_URL;
const token = process.env.PATHWISE_TOKEN;
if (!url || !token) {
  console.error("usage: PATHWISE_GRAPHQL_URL=<GraphQL URL> PATHWISE_TOKEN=<learner token> node tests/normalised-caches.mjs");
  process.exit(2);
}

// The same fragments in the query and in the mutation's `user`: what the list shows must be in the payload,
// or a course that moves up into the list has no `course` in the cache.
const LIST = "fragment RecommendationList on Recommendations { id items { id course { id title } } }";
const LEARNER = "fragment LearnerEnrollments on User { id enrollments { id course { id } } }";
const RECOMMENDATIONS = `query Recommendations { recommendations(first: 5) { ...RecommendationList } } ${LIST}`;
const ENROLLMENTS = `query Enrollments { me { ...LearnerEnrollments } } ${LEARNER}`;
const ENROLL = `mutation Enroll($courseId: ID!) {
  enroll(courseId: $courseId) {
    enrollment { id status course { id } }
    user { ...LearnerEnrollments recommendations(first: 5) { ...RecommendationList } }
    errors { code message }
  }
} ${LIST} ${LEARNER}`;
const ENROLL_ONLY = `mutation EnrollOnly($courseId: ID!) {
  enroll(courseId: $courseId) { enrollment { id status course { id } } errors { code message } }
}`;

/** fetch that counts the requests each client sends, to prove that cache reads send none. */
function countingFetch() {
  const counted = async (input, init) => {
    counted.requests += 1;
    return fetch(input, init);
  };
  counted.requests = 0;
  return counted;
}

const courseIds = (list) => (list?.items ?? []).map((item) => item.course?.id ?? item.id);
const enrolledIds = (me) => (me?.enrollments ?? []).map((enrollment) => enrollment.course?.id);

function makeApollo(fetcher) {
  const link = new HttpLink({ uri: url, fetch: fetcher, headers: { authorization: `Bearer ${token}` } });
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    name: "apollo",
    async query(source, policy) {
      const result = await client.query({ query: gql(source), fetchPolicy: policy });
      if (result.error) throw result.error;
      return result.data ?? null;
    },
    async mutate(source, variables) {
      const result = await client.mutate({ mutation: gql(source), variables });
      if (result.error) throw result.error;
      return result.data;
    },
  };
}

function makeUrql(fetcher) {
  const client = new Client({
    url,
    fetch: fetcher,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    exchanges: [cacheExchange({}), fetchExchange],
  });
  return {
    name: "urql",
    async query(source, policy) {
      const result = await client.query(source, {}, { requestPolicy: policy }).toPromise();
      if (result.error) throw result.error;
      return result.data ?? null;
    },
    async mutate(source, variables) {
      const result = await client.mutation(source, variables).toPromise();
      if (result.error) throw result.error;
      return result.data;
    },
  };
}

async function scenario(make) {
  const fetcher = countingFetch();
  const client = make(fetcher);
  const report = { client: client.name, problems: [] };
  const check = (ok, problem) => {
    if (!ok) report.problems.push(problem);
  };

  const before = (await client.query(RECOMMENDATIONS, "network-only")).recommendations;
  await client.query(ENROLLMENTS, "network-only");
  const [enrolled, second] = courseIds(before);
  report.before = courseIds(before);
  check(enrolled && second, `the first list has fewer than 2 courses: ${JSON.stringify(report.before)}`);
  if (!enrolled || !second) return report;

  const payload = (await client.mutate(ENROLL, { courseId: enrolled })).enroll;
  check(payload.errors.length === 0, `enroll failed: ${JSON.stringify(payload.errors)}`);
  report.enrolled = enrolled;
  report.payloadList = courseIds(payload.user?.recommendations);

  const requestsBefore = fetcher.requests;
  const cached = (await client.query(RECOMMENDATIONS, "cache-only"))?.recommendations;
  const me = (await client.query(ENROLLMENTS, "cache-only"))?.me;
  const cacheFirst = (await client.query(RECOMMENDATIONS, "cache-first"))?.recommendations;
  report.after = cached ? courseIds(cached) : null;
  report.requestsForCacheReads = fetcher.requests - requestsBefore;
  check(cached != null, "recommendations(first: 5) is not complete in the cache after enroll");
  check(!cached || !report.after.includes(enrolled), `the cached list still shows the enrolled course ${enrolled}`);
  check(!cached || String(report.after) === String(report.payloadList), "the cached list differs from the payload's");
  check(me != null && enrolledIds(me).includes(enrolled), `me.enrollments in the cache lacks ${enrolled}`);
  check(!courseIds(cacheFirst).includes(enrolled), "cache-first still shows the enrolled course");
  check(report.requestsForCacheReads === 0, `cache reads sent ${report.requestsForCacheReads} requests`);

  // Control: an enroll that does not select the learner leaves the cached list as it was (nothing tells the cache).
  const next = report.after?.[0];
  if (next) {
    const control = (await client.mutate(ENROLL_ONLY, { courseId: next })).enroll;
    check(control.errors.length === 0, `the control enroll failed: ${JSON.stringify(control.errors)}`);
    const stale = (await client.query(RECOMMENDATIONS, "cache-only"))?.recommendations;
    report.staleWithoutLearnerSelection = courseIds(stale).includes(next);
  }
  return report;
}

const started = performance.now();
const clients = [];
for (const make of [makeApollo, makeUrql]) {
  let report;
  try {
    report = await scenario(make);
  } catch (error) {
    report = { client: make === makeApollo ? "apollo" : "urql", problems: [`threw: ${error?.stack ?? error}`] };
  }
  report.passed = report.problems.length === 0;
  console.log(`${report.passed ? "PASS" : "FAIL"} ${report.client}: ${report.passed
    ? `enrolled ${report.enrolled}; cached list ${JSON.stringify(report.after)} without it, me.enrollments has it, `
      + `${report.requestsForCacheReads} requests for the cache reads`
    : report.problems.join("; ")}`);
  clients.push(report);
}
const passed = clients.every((report) => report.passed);
console.log(JSON.stringify({ passed, seconds: Math.round(performance.now() - started) / 1000, clients }));
process.exit(passed ? 0 : 1);
