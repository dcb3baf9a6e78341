"""Experiments through the served API: simulated A/A, A/B and interleaving experiments, read back over GraphQL.

One run, in a temporary directory: `pathwise serve` on a fresh data dir (embedded store), `pathwise demo`, then
`--learners` learners created through the API (upsertUser with three interests of the taxonomy, setConsent for
PERSONALIZATION, ANALYTICS and BEHAVIORAL_TRACKING, as an admin acting for them; with `--default-consents` the
server grants the three by PATHWISE_DEFAULT_CONSENTS instead). Then `--experiments`
experiments, one after another over the same learners (a learner takes part only in the first running experiment
they are eligible for, so experiments never overlap): createExperiment, startExperiment, `--days` rounds of
traffic, stopExperiment.

Hidden truth (client side, fresh for every experiment): a learner u has a click propensity p_u ~ Beta(k c,
k (1 - c)) (c = `--ctr`, k = 20: learners differ), arrives on a uniform day of the experiment and comes back on
each later day with probability `--return`. An item at position r (0-based) placed by ranker v is clicked with
probability min(1, p_u * d_r * m_v): d_r = 1 / log2(r + 2) scaled to mean 1 over the list, m_A = 1, m_B = 1 +
`--lift` (A/A: 1 for both). The rankers are the variants whatever courses their strategies return: which courses
the recommenders pick is the server's business, the learners' reaction is the simulation's.

A round ("day"): every learner active that day asks `user(id) { recommendations(strategy: "auto", first: 5) }`
(aliased, `--batch` learners per request), is shown the whole list (a `recommendation_impression` per item) and
clicks by the truth above (`recommendation_click`); the events go through `POST /v1/events` in batches of up to
1,000 with requestId, position, experiment and variant (in an interleaved list, the item's own variant). Then the
partner reads `experimentReport(id)`: that is the daily peek. The server stamps events with its own clock, so all
rounds fall on one or two UTC days: a "day" here is a round, and the report's own `daily` series is not used.

Per experiment: whether the treatment was declared significant at any read (A/B: the CLICK_THROUGH comparison's
`significant`; interleaving: the preference test's), whether the last read's lift interval covers the true lift
(A/B), and the agreement of the last read with the offline computation on the per-learner counts this script kept
(`resolvers.experiments.statistics.compare` / `resolvers.experiments.preference.preference`). CPU of the server and
of the store process (/proc/<pid>/stat) per event, per recommendation request and per report read.

`--mode interleaving` runs pairs: an INTERLEAVING experiment and an A/B experiment on the same learners with the
same truth model, so their power compares at the same learner count.

`--rotate K` keeps the store small: every K experiments (pairs) the server stops and a fresh deployment takes over
(new data dir and store, `pathwise demo`, the learners created again), because a report read scans all the
store's events and grows with them. The summary and the costs add up over all deployments. See bench/README.md.
Not a test.
"""

import argparse
import asyncio
import json
import math
import secrets
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.recommend import cpu_s  # noqa: E402
from bench.soak import Deployment, wait_ready  # noqa: E402

CONCENTRATION, FIRST = 20.0, 5
EVENTS_PER_POST = 1_000
SERVER_LIMITS = {"PATHWISE_COST_BUDGET_PER_MINUTE": "0", "PATHWISE_RATE_LIMIT_PER_MINUTE": "0",
                 "PATHWISE_MAX_QUERY_COST": "10000000", "PATHWISE_MAX_QUERY_TOKENS": "100000"}
CREATE = ("mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id kind } "
          "errors { code message field } } }")
START = "mutation($id: ID!) { startExperiment(id: $id) { experiment { status } errors { code message } } }"
STOP = "mutation($id: ID!) { stopExperiment(id: $id) { experiment { status } errors { code message } } }"
COMPARISON = ("lift liftLow liftHigh difference differenceLow differenceHigh pValue significant controlRate "
              "treatmentRate")
AB_REPORT = ("query($id: ID!) { experimentReport(id: $id) { excludedLearners mixedLearners recommendedLearners "
             "minGroup sampleRatio { observed pValue mismatch } variants { name learners suppressed impressions clicks "
             f"metrics {{ metric learners numerator denominator comparison {{ {COMPARISON} }} }} }} }} }}")
INTERLEAVING_REPORT = ("query($id: ID!) { experimentReport(id: $id) { kind minGroup excludedLearners mixedLearners "
                       "interleaving { control treatment credit creditControl creditTreatment preference { "
                       "learners winsControl winsTreatment ties score scoreLow scoreHigh pValue significant } } } }")
NOT_YET = {"significant": False, "pValue": 1.0, "suppressed": True}


CONSENTS = ("PERSONALIZATION", "ANALYTICS", "BEHAVIORAL_TRACKING")


class Server(Deployment):
    """`pathwise serve` as bench/soak.py starts it, without the per-client budgets (one bench client sends all)."""

    default_consents = False  # the three purposes granted by PATHWISE_DEFAULT_CONSENTS instead of setConsent

    def env(self) -> dict[str, str]:
        granted = {"PATHWISE_DEFAULT_CONSENTS": json.dumps([p.lower() for p in CONSENTS])}
        return {**super().env(), **SERVER_LIMITS, **(granted if self.default_consents else {})}

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the server is not gone within a minute (it once was not, under load)."""
        try:
            super().stop()
        except subprocess.TimeoutExpired:
            assert self.process is not None
            print(f"  pathwise serve (pid {self.process.pid}) did not stop in 60 s: killed", flush=True)
            self.process.kill()
            self.process.wait(timeout=60)


@dataclass
class Cost:
    """Wall seconds and CPU seconds of the server and the store spent in one kind of call, and how many units."""

    wall: float = 0.0
    server: float = 0.0
    store: float = 0.0
    units: int = 0
    calls: int = 0
    retries: int = 0


class Api:
    """The bench's HTTP client: GraphQL as the partner or the admin, events as the admin; costs per kind."""

    def __init__(self, server: Server, partner: str, admin: str, costs: dict[str, Cost]) -> None:
        self.server, self.partner, self.admin = server, partner, admin
        self.client = httpx.AsyncClient(base_url=server.base, timeout=300)
        self.costs = costs  # shared by the deployments of one run

    async def gql(self, query: str, variables: dict[str, Any], token: str, retry: str | None = None
                  ) -> dict[str, Any]:
        """One GraphQL call; a query (`retry` names its kind) answered UNAVAILABLE is retried up to 4 times."""
        for attempt in range(5):
            response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                              headers={"authorization": f"Bearer {token}"})
            body: dict[str, Any] = response.json()
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            if retry is None or attempt == 4 or (response.status_code != 503 and "UNAVAILABLE" not in codes):
                break
            self.costs[retry].retries += 1
            print(f"  {retry}: UNAVAILABLE, retry {attempt + 1} in {2 ** attempt} s", flush=True)
            await asyncio.sleep(2 ** attempt)
        if body.get("errors") or response.status_code != 200:
            raise SystemExit(f"GraphQL call failed ({response.status_code}): {json.dumps(body)[:1500]}\n"
                             f"query: {query[:300]}\nvariables: {json.dumps(variables)[:300]}")
        return body["data"]  # type: ignore[no-any-return]

    async def events(self, events: list[dict[str, Any]]) -> None:
        """One POST; a 503 (store unavailable) is retried up to 4 times, where events stored by an earlier try
        come back as duplicates (same eventId). Counted in `costs["events"].retries`."""
        for attempt in range(5):
            response = await self.client.post("/v1/events", json={"events": events},
                                              headers={"authorization": f"Bearer {self.admin}"})
            body = response.json()
            if response.status_code != 503 or attempt == 4:
                break
            self.costs["events"].retries += 1
            print(f"  events: 503, retry {attempt + 1} in {2 ** attempt} s", flush=True)
            await asyncio.sleep(2 ** attempt)
        stored = body.get("accepted", 0) + (body.get("duplicates", 0) if attempt else 0)
        if response.status_code != 200 or stored != len(events):
            raise SystemExit(f"POST /v1/events: {response.status_code} {json.dumps(body)[:1500]}")

    def measured(self, kind: str) -> "Measured":
        return Measured(self, kind)


class Measured:
    """Adds the wall time and the server's and store's CPU of a block to `api.costs[kind]`."""

    def __init__(self, api: Api, kind: str) -> None:
        self.api, self.kind = api, kind

    def __enter__(self) -> Cost:
        self.pids = (self.api.server.server_pid, self.api.server.store_pid())
        self.before = (time.perf_counter(), cpu_s(self.pids[0]), cpu_s(self.pids[1]))
        return self.api.costs[self.kind]

    def __exit__(self, *exc: object) -> None:
        cost = self.api.costs[self.kind]
        cost.wall += time.perf_counter() - self.before[0]
        cost.server += cpu_s(self.pids[0]) - self.before[1]
        cost.store += cpu_s(self.pids[1]) - self.before[2]
        cost.calls += 1


async def gather_limited(coroutines: list[Any], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine: Any) -> Any:
        async with semaphore:
            return await coroutine

    return list(await asyncio.gather(*(one(c) for c in coroutines)))


# --- set-up ------------------------------------------------------------------------------------------------

async def create_learners(api: Api, learners: list[str], skills: list[str], rng: np.random.Generator) -> None:
    """Each learner: upsertUser with three interests, then the three consents, as the admin acting for them
    (no setConsent where the server grants them by default)."""
    parts = []
    for n, learner in enumerate(learners):
        interests = json.dumps([str(s) for s in rng.choice(skills, size=3, replace=False)])
        parts.append(f'u{n}: upsertUser(input: {{id: "{learner}", interests: {interests}}}) {{ errors {{ code }} }}')
        for purpose in () if api.server.default_consents else CONSENTS:
            parts.append(f'{purpose[:2].lower()}{n}: setConsent(purpose: {purpose}, granted: true, userId: '
                         f'"{learner}") {{ errors {{ code }} }}')
    # upserts first, then consents: a consent needs the learner
    upserts, consents = [p for p in parts if p.startswith("u")], [p for p in parts if not p.startswith("u")]
    for group in (upserts, consents):
        for start in range(0, len(group), 100):
            data = await api.gql("mutation { " + " ".join(group[start:start + 100]) + " }", {}, api.admin)
            refused = {k: v for k, v in data.items() if v["errors"]}
            if refused:
                raise SystemExit(f"learner set-up refused: {json.dumps(refused)[:800]}")


# --- one experiment ----------------------------------------------------------------------------------------

@dataclass
class Truth:
    """The hidden truth of one experiment: per learner a propensity, an arrival round, and the rankers' multipliers."""

    propensity: np.ndarray
    arrival: np.ndarray
    multiplier: dict[str, float]


@dataclass
class Outcome:
    """One experiment as the bench saw it: the reads, and the per-learner counts it sent."""

    kind: str
    experiment_id: str
    reads: list[dict[str, Any]] = field(default_factory=list)
    significant_at: int | None = None
    clicks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    impressions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    variant_of: dict[str, str] = field(default_factory=dict)
    credit: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    events: int = 0


DISCOUNT = 1 / np.log2(np.arange(FIRST) + 2)
DISCOUNT = DISCOUNT / DISCOUNT.mean()


def truth(rng: np.random.Generator, count: int, args: argparse.Namespace, names: tuple[str, str],
          lift: float) -> Truth:
    propensity = rng.beta(CONCENTRATION * args.ctr, CONCENTRATION * (1 - args.ctr), size=count)
    return Truth(propensity, rng.integers(0, args.days, size=count), {names[0]: 1.0, names[1]: 1.0 + lift})


def active(rng: np.random.Generator, hidden: Truth, day: int, returning: float) -> np.ndarray:
    """Indexes of the learners active on round `day`: arriving today, or back (probability `returning`)."""
    back = (hidden.arrival < day) & (rng.random(hidden.arrival.size) < returning)
    return np.flatnonzero((hidden.arrival == day) | back)


async def serve_round(api: Api, learners: list[str], today: np.ndarray, args: argparse.Namespace
                      ) -> list[tuple[int, dict[str, Any]]]:
    """The `auto` recommendations of today's learners, `--batch` aliases per request, `--concurrency` at once."""
    selection = ("experiment variant requestId strategy items { variant course { id } }")

    async def batch(indexes: list[int]) -> list[tuple[int, dict[str, Any]]]:
        fields = " ".join(f'l{i}: user(id: "{learners[i]}") {{ recommendations(strategy: "auto", first: {FIRST}) '
                          f"{{ {selection} }} }}" for i in indexes)
        data = await api.gql("{ " + fields + " }", {}, api.admin, retry="recommendations")
        return [(i, data[f"l{i}"]["recommendations"]) for i in indexes]

    chunks = [list(map(int, today[s:s + args.batch])) for s in range(0, today.size, args.batch)]
    with api.measured("recommendations") as cost:
        answers = await gather_limited([batch(c) for c in chunks], args.concurrency)
        cost.units += int(today.size)
    return [pair for answer in answers for pair in answer]


def react(rng: np.random.Generator, outcome: Outcome, hidden: Truth, learners: list[str], day: int,
          answers: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Impressions of every item shown and clicks drawn from the hidden truth; the bench's own tallies."""
    events = []
    for index, found in answers:
        learner = learners[index]
        if found["experiment"] != outcome.experiment_id:
            raise SystemExit(f"{learner} was not served by {outcome.experiment_id}: {json.dumps(found)[:400]}")
        for position, item in enumerate(found["items"]):
            ranker = item["variant"] or found["variant"]
            p = min(1.0, hidden.propensity[index] * DISCOUNT[position] * hidden.multiplier[ranker])
            clicked = bool(rng.random() < p)
            properties = {"requestId": found["requestId"], "position": position,
                          "experiment": outcome.experiment_id, "variant": ranker}
            base = {"userId": learner, "courseId": item["course"]["id"], "properties": properties}
            stem = f"{outcome.experiment_id}-{learner}-{day}-{position}"
            events.append({**base, "eventId": f"{stem}-i", "type": "recommendation_impression"})
            outcome.impressions[learner] += 1
            outcome.variant_of[learner] = found["variant"]
            if clicked:
                events.append({**base, "eventId": f"{stem}-c", "type": "recommendation_click"})
                outcome.clicks[learner] += 1
                outcome.credit[learner][ranker] += 1
    return events


async def send(api: Api, events: list[dict[str, Any]], concurrency: int) -> None:
    with api.measured("events") as cost:
        await gather_limited([api.events(events[s:s + EVENTS_PER_POST])
                              for s in range(0, len(events), EVENTS_PER_POST)], concurrency)
        cost.units += len(events)


async def read_report(api: Api, outcome: Outcome, names: tuple[str, str]) -> dict[str, Any]:
    """The report as the partner reads it; the treatment's comparison (A/B) or the preference (interleaving)."""
    query = INTERLEAVING_REPORT if outcome.kind == "interleaving" else AB_REPORT
    with api.measured("report") as cost:
        report = (await api.gql(query, {"id": outcome.experiment_id}, api.partner, retry="report")
                  )["experimentReport"]
        cost.units += 1
    if outcome.kind == "interleaving":
        found = (report.get("interleaving") or {}).get("preference")
        return {"test": found or NOT_YET, "report": report}
    treatment = next(v for v in report["variants"] if v["name"] == names[1])
    if any(v["suppressed"] for v in report["variants"]):  # an arm under the minimum group: no comparison yet
        return {"test": NOT_YET, "report": report}
    metric = next((m for m in treatment["metrics"] if m["metric"] == "CLICK_THROUGH"), None)
    if metric is None or metric["comparison"] is None:
        raise SystemExit(f"no CLICK_THROUGH comparison in the report: {json.dumps(report)[:1500]}")
    return {"test": metric["comparison"], "report": report}


async def run_experiment(api: Api, learners: list[str], rng: np.random.Generator, args: argparse.Namespace,
                         number: int, kind: str, lift: float) -> Outcome:
    names = ("a", "b")
    experiment_id = f"bench-{args.mode}-{args.seed}-{number:04d}-{kind}"
    strategies = args.strategies.split(",")
    variants = [{"name": n, "strategy": s, "share": 0.5} for n, s in zip(names, strategies, strict=True)]
    with api.measured("lifecycle"):
        created = (await api.gql(CREATE, {"i": {"id": experiment_id, "name": f"bench {kind} {number}",
                                                "kind": "INTERLEAVING" if kind == "interleaving" else "A_B",
                                                "variants": variants}}, api.partner))["createExperiment"]
        if created["errors"]:
            raise SystemExit(f"createExperiment refused: {created['errors']}")
        started = (await api.gql(START, {"id": experiment_id}, api.partner))["startExperiment"]
        if started["errors"]:
            raise SystemExit(f"startExperiment refused: {started['errors']}")
    outcome = Outcome(kind, experiment_id)
    hidden = truth(rng, len(learners), args, names, lift)
    for day in range(args.days):
        today = active(rng, hidden, day, args.returning)
        answers = await serve_round(api, learners, today, args)
        events = react(rng, outcome, hidden, learners, day, answers)
        await send(api, events, args.concurrency)
        outcome.events += len(events)
        read = await read_report(api, outcome, names)
        outcome.reads.append(read)
        if read["test"]["significant"] and outcome.significant_at is None:
            outcome.significant_at = day + 1
    with api.measured("lifecycle"):
        stopped = (await api.gql(STOP, {"id": experiment_id}, api.partner))["stopExperiment"]
        if stopped["errors"]:
            raise SystemExit(f"stopExperiment refused: {stopped['errors']}")
    return outcome


# --- agreement with the offline statistics ------------------------------------------------------------------

def finite(value: float) -> float | None:
    """What the API shows for a bound: null when not finite."""
    return value if math.isfinite(value) else None


def offline(outcome: Outcome, names: tuple[str, str]) -> dict[str, Any]:
    """The same test computed here from the counts this bench sent."""
    from resolvers.experiments.preference import preference
    from resolvers.experiments.statistics import Sample, compare

    shown = sorted(outcome.impressions)
    if outcome.kind == "interleaving":
        found = preference([outcome.credit[u][names[0]] for u in shown], [outcome.credit[u][names[1]] for u in shown])
        return {"learners": found.learners, "winsControl": found.wins_a, "winsTreatment": found.wins_b,
                "ties": found.ties, "score": found.score, "scoreLow": finite(found.interval[0]),
                "scoreHigh": finite(found.interval[1]), "pValue": found.p_value, "significant": found.significant}
    samples = []
    for name in names:
        members = [u for u in shown if outcome.variant_of[u] == name]
        samples.append(Sample(np.array([outcome.clicks[u] for u in members], dtype=np.float64),
                              np.array([outcome.impressions[u] for u in members], dtype=np.float64)))
    result = compare(samples[0], samples[1])
    return {"lift": finite(result.lift), "liftLow": finite(result.lift_low), "liftHigh": finite(result.lift_high),
            "differenceLow": finite(result.difference_low), "differenceHigh": finite(result.difference_high),
            "pValue": result.p_value, "significant": result.significant,
            "counts": [[s.learners, int(s.denominators.sum()), int(s.numerators.sum())] for s in samples]}


def disagreement(api_test: dict[str, Any], report: dict[str, Any], mine: dict[str, Any], kind: str) -> list[str]:
    """Where the API's numbers differ from the offline ones (relative 1e-6 for floats), as readable lines."""
    problems: list[str] = []
    if api_test.get("suppressed"):
        return ["the last read was suppressed (an arm under the minimum group)"]
    if kind != "interleaving":
        counts = [[v["learners"], v["impressions"], v["clicks"]] for v in report["variants"]]
        if counts != mine["counts"]:
            problems.append(f"counts api={counts} bench={mine['counts']}")
    for key, expected in mine.items():
        if key == "counts":
            continue
        got = api_test[key]
        pairs = list(zip(got, expected, strict=True)) if isinstance(expected, list) else [(got, expected)]
        for a, b in pairs:
            same = a == b if (a is None or b is None or isinstance(b, bool)) else math.isclose(a, b, rel_tol=1e-6,
                                                                                                 abs_tol=1e-12)
            if not same:
                problems.append(f"{key}: api={got} bench={expected}")
                break
    return problems


# --- the run ---------------------------------------------------------------------------------------------

def share(count: int, runs: int) -> str:
    if runs == 0:
        return "-"
    interval = stats.binomtest(count, runs).proportion_ci(confidence_level=0.95)
    return f"{count / runs:.1%} [{interval.low:.1%}, {interval.high:.1%}]"


def excludes_zero(test: dict[str, Any]) -> bool:
    """Whether the fixed-horizon difference interval excludes 0 (a bound is null when unknown)."""
    low, high = test.get("differenceLow"), test.get("differenceHigh")
    return (low is not None and low > 0) or (high is not None and high < 0)


def covers(test: dict[str, Any], lift: float) -> bool:
    """Whether the lift's 95% interval holds the true lift (an unknown bound covers nothing)."""
    low, high = test.get("liftLow"), test.get("liftHigh")
    return low is not None and high is not None and low <= lift <= high


Z_POWER = float(stats.norm.ppf(0.975) + stats.norm.ppf(0.8))
SEQUENTIAL_FACTOR = 2.25  # the always-valid test's learners over the fixed-horizon test's (experiment_statistics.py)


def learners_needed(outcome: Outcome, effect: float) -> float | None:
    """Learners in all (both arms) for 80% power at a relative `effect` with daily reads, extrapolated from the
    last read's own 95% interval: n * (Z_POWER * se / theta)^2 * 2.25, where se is the interval's half-width /
    1.96 and theta the effect on the test's scale (A/B: the lift; interleaving: the score of a 1 + effect : 1
    credit split, effect / (2 + effect)). None when the interval is unknown."""
    test = outcome.reads[-1]["test"]
    low, high = (test.get("scoreLow"), test.get("scoreHigh")) if outcome.kind == "interleaving" else (
        test.get("liftLow"), test.get("liftHigh"))
    if low is None or high is None:
        return None
    theta = effect / (2 + effect) if outcome.kind == "interleaving" else effect
    se = (high - low) / (2 * float(stats.norm.ppf(0.975)))
    return float(len(outcome.impressions) * (Z_POWER * se / theta) ** 2 * SEQUENTIAL_FACTOR)


def summary(outcomes: list[Outcome], lift: float) -> dict[str, Any]:
    """Per kind: runs, share significant at any read, coverage of the true lift (A/B), sizes."""
    rows = {}
    for kind in sorted({o.kind for o in outcomes}):
        runs = [o for o in outcomes if o.kind == kind]
        needed = [n for n in (learners_needed(o, lift or 0.1) for o in runs) if n is not None]
        found = [o.significant_at for o in runs if o.significant_at is not None]
        row: dict[str, Any] = {"runs": len(runs), "significant_any_read": share(len(found), len(runs)),
                               "significant_count": len(found),
                               "median_round_found": float(np.median(found)) if found else None,
                               "learners_mean": float(np.mean([len(o.impressions) for o in runs])),
                               "events_mean": float(np.mean([o.events for o in runs])),
                               "disagreements": sum(bool(r.get("problems")) for o in runs for r in o.reads),
                               "learners_needed_for_80pct_extrapolated_median": float(np.median(needed))
                               if needed else None}
        if kind != "interleaving":
            last = [o.reads[-1] for o in runs]
            covered = sum(1 for r in last if covers(r["test"], lift))
            recommended = [r["report"]["recommendedLearners"] for r in last if r["report"]["recommendedLearners"]]
            row["recommended_learners_per_arm_median"] = float(np.median(recommended)) if recommended else None
            row["lift_interval_covers_truth"] = share(covered, len(runs))
            row["covered_count"] = covered
            row["srm_flagged"] = sum(1 for r in last if r["report"]["sampleRatio"]["mismatch"])
            row["fixed_ci_last_read_excludes_0"] = share(sum(1 for r in last if excludes_zero(r["test"])), len(runs))
        rows[kind] = row
    return rows


def costs(spent: dict[str, Cost]) -> dict[str, Any]:
    out = {}
    for kind, cost in spent.items():
        per = max(cost.units or cost.calls, 1)
        out[kind] = {"calls": cost.calls, "units": cost.units, "retries": cost.retries, "wall_s": round(cost.wall, 1),
                     "server_cpu_ms_per_unit": round(cost.server * 1000 / per, 3),
                     "store_cpu_ms_per_unit": round(cost.store * 1000 / per, 3)}
    return out


@dataclass
class Run:
    """What the deployments of one run add up to: the experiments, the costs, and one row per deployment."""

    rng: np.random.Generator
    deadline: float = math.inf  # no experiment starts after this (time.perf_counter())
    outcomes: list[Outcome] = field(default_factory=list)
    costs: dict[str, Cost] = field(default_factory=lambda: defaultdict(Cost))
    deployments: list[dict[str, Any]] = field(default_factory=list)
    experiments_wall: float = 0.0


@dataclass
class Tokens:
    """The bench's admin and partner tokens, valid on every deployment of the run (one JWT secret)."""

    secret: str
    admin: str
    partner: str


def tokens() -> Tokens:
    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    secret = secrets.token_urlsafe(32)
    settings = Settings(jwt_secret=secret)
    return Tokens(secret, issue_token(settings, "bench-admin", [Role.ADMIN], timedelta(hours=24)),
                  issue_token(settings, "bench-partner", [Role.PARTNER], timedelta(hours=24)))


@contextmanager
def deployment(keys: Tokens, default_consents: bool) -> Iterator[tuple[Server, list[str]]]:
    """`pathwise serve` on a fresh data dir with the demo catalog, ready; the taxonomy's skills. Removed after."""
    with tempfile.TemporaryDirectory(prefix="pathwise-experiments-") as tmp:
        server = Server(Path(tmp))
        server.secret, server.default_consents = keys.secret, default_consents
        try:
            server.start()
            server.cli("demo")
            wait_ready(server, keys.admin)
            skills = httpx.post(f"{server.base}/graphql", json={"query": "{ taxonomy { skills } }"}, timeout=30,
                                headers={"authorization": f"Bearer {keys.admin}"}).json()["data"]["taxonomy"]["skills"]
            yield server, skills
        finally:
            server.stop()


async def simulate(server: Server, args: argparse.Namespace, keys: Tokens, skills: list[str], numbers: range,
                   run: Run) -> None:
    """Experiments `numbers` on one deployment, on learners created there; adds to `run`."""
    api = Api(server, keys.partner, keys.admin, run.costs)
    learners = [f"bench-learner-{n:05d}" for n in range(args.learners)]
    started = time.perf_counter()
    with api.measured("learners") as cost:
        await create_learners(api, learners, skills, run.rng)
        cost.units += len(learners)
    print(f"  {len(learners)} learners created in {time.perf_counter() - started:.1f} s", flush=True)
    lift = lift_of(args)
    kinds = ["interleaving", "ab"] if args.mode == "interleaving" else ["ab"]
    reads_before, outcomes_before = (run.costs["report"].store, run.costs["report"].units), len(run.outcomes)
    started = time.perf_counter()
    for number in numbers:
        if time.perf_counter() > run.deadline:
            print(f"  --stop-after reached: {len(run.outcomes)} experiments done", flush=True)
            break
        for kind in kinds:
            outcome = await run_experiment(api, learners, run.rng, args, number, kind, lift)
            for read in outcome.reads[-1:]:
                read["problems"] = disagreement(read["test"], read["report"], offline(outcome, ("a", "b")), kind)
                if read["problems"]:
                    print(f"  DISAGREEMENT {outcome.experiment_id}: {read['problems']}", flush=True)
            run.outcomes.append(outcome)
            last = outcome.reads[-1]["test"]
            print(f"  {number + 1}/{args.experiments} {kind}: {len(outcome.impressions)} learners, {outcome.events} "
                  f"events, p={last['pValue']:.3g}, significant at round {outcome.significant_at}, "
                  f"{run.experiments_wall + time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    run.experiments_wall += elapsed
    reads = run.costs["report"].units - reads_before[1]
    run.deployments.append({"experiments": (len(run.outcomes) - outcomes_before) // len(kinds),
                            "experiments_wall_s": round(elapsed, 1),
                            "report_store_cpu_ms_per_read": round((run.costs["report"].store - reads_before[0])
                                                                  * 1000 / max(reads, 1), 1)})
    await api.client.aclose()


def lift_of(args: argparse.Namespace) -> float:
    return float(args.lift) if args.lift is not None else (0.0 if args.mode == "aa" else 0.1)


def numbers_of(run: Run, args: argparse.Namespace, wall: float) -> dict[str, Any]:
    lift = lift_of(args)
    return {"lift": lift, "wall_s": round(wall, 1), "experiments_wall_s": round(run.experiments_wall, 1),
            "wall_s_per_experiment": round(run.experiments_wall / max(len(run.outcomes), 1), 2),
            "deployments": run.deployments, "summary": summary(run.outcomes, lift), "costs": costs(run.costs),
            "runs": [{"id": o.experiment_id, "kind": o.kind, "learners": len(o.impressions), "events": o.events,
                      "significant_at": o.significant_at, "last": o.reads[-1]["test"],
                      "recommendedLearners": o.reads[-1]["report"].get("recommendedLearners"),
                      "problems": o.reads[-1].get("problems")} for o in run.outcomes]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["aa", "ab", "interleaving"], default="aa")
    parser.add_argument("--experiments", type=int, default=20, help="experiments (pairs in interleaving mode)")
    parser.add_argument("--learners", type=int, default=100, help="learners in each experiment (the same pool)")
    parser.add_argument("--days", type=int, default=5, help="rounds of traffic, each followed by a report read")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ctr", type=float, default=0.1, help="mean click probability of an impression")
    parser.add_argument("--lift", type=float, default=None, help="true relative lift of B (aa: 0, else 0.1)")
    parser.add_argument("--returning", type=float, default=0.5, help="chance a learner comes back on a later round")
    parser.add_argument("--strategies", default=None, help="the two variants' strategies (aa: hybrid,hybrid; "
                        "else popular,hybrid)")
    parser.add_argument("--batch", type=int, default=25, help="learners per recommendations request")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--rotate", type=int, default=0, help="a fresh deployment every this many experiments "
                        "(pairs), so that the store stays small (0: one deployment for the whole run)")
    parser.add_argument("--default-consents", action="store_true", help="grant the three purposes by "
                        "PATHWISE_DEFAULT_CONSENTS instead of three setConsent calls a learner (faster set-up)")
    parser.add_argument("--stop-after", type=float, default=None, help="start no experiment after this many "
                        "seconds of the run; the summary covers the experiments finished")
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here too")
    args = parser.parse_args()
    if args.strategies is None:
        args.strategies = "hybrid,hybrid" if args.mode == "aa" else "popular,hybrid"
    return args


def main() -> None:
    args = parse_args()
    keys, run = tokens(), Run(np.random.default_rng(args.seed))
    every = args.rotate or args.experiments
    started = time.perf_counter()
    run.deadline = started + (args.stop_after or math.inf)
    failure = None
    for first in range(0, args.experiments, every):
        if time.perf_counter() > run.deadline:
            break
        numbers = range(first, min(first + every, args.experiments))
        print(f"deployment {first // every + 1} (experiments {numbers.start + 1}-{numbers.stop}):", flush=True)
        set_up = time.perf_counter()
        try:
            with deployment(keys, args.default_consents) as (server, skills):
                print(f"  ready in {time.perf_counter() - set_up:.1f} s", flush=True)
                asyncio.run(simulate(server, args, keys, skills, numbers, run))
        except SystemExit as stopped:  # a refused call: keep the experiments finished so far
            failure = str(stopped)
            break
        run.deployments[-1]["wall_s"] = round(time.perf_counter() - set_up, 1)
    result = numbers_of(run, args, time.perf_counter() - started)
    result["args"] = {k: str(v) for k, v in vars(args).items()}
    result["failure"] = failure
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if failure:
        raise SystemExit(f"stopped after {len(run.outcomes)} experiments: {failure}")


if __name__ == "__main__":
    main()
