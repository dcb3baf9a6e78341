"""Every write a client can make drops the cached recommendation lists of the learner it changed (issue 12,
item 5): each mutation of the built schema is run for a learner holding a cached list, and the list must be
gone afterwards, or kept where KEPT says why. A mutation added later fails here until it is classified."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql import GraphQLField, GraphQLObjectType, get_named_type
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from app.core.documents import Course, Exercise, ExerciseFormat, Experiment, Purpose, Skill, Variant
from app.core.settings import Settings
from app.core.tokens import Principal, Role, issue_token
from resolvers.courses.enrollments import enroll
from resolvers.experiments.definitions import start_experiment
from resolvers.practice.placement_tests import start_placement_test
from resolvers.privacy.consents import ConsentPolicy, set_consent
from resolvers.profile.accounts import connect_account
from resolvers.recommendations.cache import LearnerCache
from schema.context import Context
from schema.rest import events as rest_events
from schema.schema import build_schema
from tests.resolvers.profile.account_payloads import GITHUB_USER

pytestmark = pytest.mark.usefixtures("clean")

SETTINGS = Settings(jwt_secret="s" * 32)
LEARNER = "wi-learner"
COURSE = "wi-c1"
POLICY = ConsentPolicy(version=SETTINGS.policy_version)

Setup = Callable[[], Awaitable[dict[str, Any]]]  # prepares the learner; the mutation's variables


async def seed_course() -> None:
    await Course(id=COURSE, title="SQL for analysts", skills=["SQL"], topics=["Data"],
                 instructors=["Maren Okafor"]).insert()


async def _nothing() -> dict[str, Any]:
    return {}


async def _enrolled() -> dict[str, Any]:
    await enroll(LEARNER, COURSE)
    return {}


async def _tracking_allowed() -> dict[str, Any]:
    await set_consent(LEARNER, Purpose.BEHAVIORAL_TRACKING, True, POLICY)
    return {}


async def _imports_allowed() -> dict[str, Any]:
    await set_consent(LEARNER, Purpose.THIRD_PARTY_IMPORT, True, POLICY)
    return {"profile": GITHUB_USER}


async def _connected() -> dict[str, Any]:
    await _imports_allowed()
    await connect_account(LEARNER, "github", GITHUB_USER, {Purpose.ESSENTIAL, Purpose.THIRD_PARTY_IMPORT})
    return {}


async def _placement_on_its_last_item() -> dict[str, Any]:
    """A test over a bank of one item: answering it finishes the test, which seeds the learner's mastery."""
    await Exercise(id="wi-ex", skills=["Algebra"], format=ExerciseFormat.SHORT_ANSWER, answers=["4"]).insert()
    view = await start_placement_test(LEARNER, ["Algebra"])
    assert view.next_item is not None
    return {"test": view.test.id, "item": view.next_item.id}


async def _one_skill() -> dict[str, Any]:
    await Skill(id="wi-s1", name="Statistics").insert()
    return {}


async def _draft_experiment() -> dict[str, Any]:
    await Experiment(id="wi-exp", name="Popular twice", variants=[Variant(name="a", strategy="popular", share=0.5),
                                                                  Variant(name="b", strategy="popular", share=0.5)]
                     ).insert()
    return {}


async def _running_experiment() -> dict[str, Any]:
    await _draft_experiment()
    await start_experiment("wi-exp", ["popular"])
    return {}


async def _one_exercise() -> dict[str, Any]:
    await Exercise(id="wi-ex", skills=["Algebra"], format=ExerciseFormat.SHORT_ANSWER, answers=["4"]).insert()
    return {}


@dataclass(frozen=True)
class Write:
    call: str  # the mutation's field with its arguments, as in a document
    setup: Setup = _nothing
    variables: str = ""  # the operation's variable definitions, for `call`
    roles: frozenset[Role] = frozenset({Role.LEARNER})
    kept: str | None = None  # why the learner's lists outlive it; None: they must be dropped


PARTNER = frozenset({Role.PARTNER})

# Every mutation of the schema, with a call that succeeds for LEARNER.
WRITES: dict[str, Write] = {
    "upsertUser": Write(f'upsertUser(input: {{id: "{LEARNER}", displayName: "Ana"}})'),
    "enroll": Write(f'enroll(courseId: "{COURSE}")'),
    "updateProgress": Write(f'updateProgress(courseId: "{COURSE}", progress: 0.5)', _enrolled),
    "rateCourse": Write(f'rateCourse(courseId: "{COURSE}", rating: 5)'),
    "trackEvents": Write(f'trackEvents(events: [{{eventId: "e1", type: "course_view", courseId: "{COURSE}"}}])',
                         _tracking_allowed),
    "setConsent": Write("setConsent(purpose: PERSONALIZATION, granted: false)"),
    "setPersonalization": Write("setPersonalization(enabled: false)"),
    "deleteMyData": Write("deleteMyData", _enrolled),
    "submitOnboarding": Write('submitOnboarding(input: {goals: ["SQL"], weeklyMinutes: 60})'),
    "answerProfileQuestion": Write('answerProfileQuestion(questionId: "weekly_time", answer: "120")'),
    "skipProfileQuestion": Write('skipProfileQuestion(questionId: "onboarding")'),
    "followTopic": Write('followTopic(topic: "Data")'),
    "unfollowTopic": Write('unfollowTopic(topic: "Data")'),
    "followInstructor": Write('followInstructor(instructor: "maren okafor")'),
    "unfollowInstructor": Write('unfollowInstructor(instructor: "maren okafor")'),
    "setInterests": Write('setInterests(interests: ["sql"])'),
    "markNotInterested": Write(f'markNotInterested(courseId: "{COURSE}")'),
    "undoNotInterested": Write(f'undoNotInterested(courseId: "{COURSE}")'),
    "rateRecommendation": Write(f'rateRecommendation(requestId: "r1", courseId: "{COURSE}", positive: true)'),
    "dismissRecommendation": Write(f'dismissRecommendation(courseId: "{COURSE}", requestId: "r1")'),
    "connectAccount": Write("connectAccount(provider: GITHUB, profile: $profile)", _imports_allowed,
                            "($profile: JSON!)"),
    "disconnectAccount": Write("disconnectAccount(provider: GITHUB)", _connected),
    "answerPlacementItem": Write('answerPlacementItem(testId: $test, itemId: $item, answer: "4")',
                                 _placement_on_its_last_item, "($test: ID!, $item: ID!)"),
    "courseDifficultyFeedback": Write(f'courseDifficultyFeedback(courseId: "{COURSE}", kind: TOO_HARD)'),
    # kept: they change no learner's recommendation inputs
    "startPlacementTest": Write('startPlacementTest(skills: ["Algebra"])', _one_exercise, kept=(
        "stores only the test in progress, which recommendations do not read; finishing it does "
        "(answerPlacementItem)")),
    "upsertCourses": Write('upsertCourses(input: [{id: "wi-c2", title: "Another course"}])', roles=PARTNER, kept=(
        "the catalog, no learner's data: the recommendation service clears every list when it loads a catalog")),
    "upsertSkills": Write('upsertSkills(skills: [{id: "wi-s1", name: "Statistics"}])', roles=PARTNER, kept=(
        "the skill graph, no learner's data")),
    "upsertExercises": Write('upsertExercises(exercises: [{id: "wi-e2", skills: ["wi-s1"], format: SHORT_ANSWER, '
                             'answers: ["4"]}])', _one_skill, roles=PARTNER, kept="the item bank, no learner's data"),
    **{name: Write(call, setup, roles=PARTNER, kept=(
        "experiments, no learner's data: a list made for a variant is cached under the variant "
        "(tests/resolvers/recommendations/test_experiments.py), so none outlives a start, pause or stop"))
       for name, call, setup in (
           ("createExperiment", 'createExperiment(input: {id: "wi-new", name: "New", variants: [{name: "a", '
            'strategy: "popular", share: 0.5}, {name: "b", strategy: "auto", share: 0.5}]})', _nothing),
           ("startExperiment", 'startExperiment(id: "wi-exp")', _draft_experiment),
           ("pauseExperiment", 'pauseExperiment(id: "wi-exp")', _running_experiment),
           ("stopExperiment", 'stopExperiment(id: "wi-exp")', _running_experiment))},
}


def mutation_fields() -> dict[str, GraphQLField]:
    mutation = build_schema(SETTINGS)._schema.mutation_type
    assert mutation is not None
    return dict(mutation.fields)


def context(roles: frozenset[Role]) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=SETTINGS, principal=Principal(LEARNER, roles))


def cached_list() -> LearnerCache[list[str]]:
    """The learner's recommendation list, cached as the recommendation service caches it (on the process's
    ledger of learner changes), read just now."""
    cache: LearnerCache[list[str]] = LearnerCache(seconds=3_600, size=10)
    cache.put(LEARNER, "auto", [COURSE], cache.clock())
    assert cache.get(LEARNER, "auto") == [COURSE]
    return cache


def document(name: str, write: Write, payload: GraphQLField) -> str:
    payload_type = get_named_type(payload.type)
    assert isinstance(payload_type, GraphQLObjectType)
    errors = " errors { code message }" if "errors" in payload_type.fields else ""
    return f"mutation{write.variables} {{ {write.call} {{ __typename{errors} }} }}"


def test_every_mutation_is_classified() -> None:
    assert sorted(set(mutation_fields()) - set(WRITES)) == [], "add the new mutation to WRITES (dropped or kept)"
    assert sorted(set(WRITES) - set(mutation_fields())) == []


@pytest.mark.parametrize("name", sorted(mutation_fields()))
async def test_a_mutation_drops_the_learners_cached_list_unless_it_changes_none_of_their_inputs(name: str) -> None:
    write = WRITES.get(name)
    assert write is not None, f"{name} is a new mutation: add it to WRITES, with `kept` if it keeps the lists"
    await seed_course()
    variables = await write.setup()
    cache = cached_list()
    result = await build_schema(SETTINGS).execute(document(name, write, mutation_fields()[name]),
                                                  variable_values=variables, context_value=context(write.roles))
    assert result.errors is None, result.errors
    assert result.data is not None and result.data[name].get("errors", []) == [], result.data
    if write.kept is None:
        assert cache.get(LEARNER, "auto") is None, f"{name} wrote the learner's data but left their cached list"
    else:
        assert cache.get(LEARNER, "auto") == [COURSE], f"{name} is listed as keeping the lists: {write.kept}"


async def test_events_that_only_move_usage_patterns_keep_the_list() -> None:
    await seed_course()
    await _tracking_allowed()
    cache = cached_list()
    call = 'trackEvents(events: [{eventId: "p1", type: "page_view", properties: {path: "/home"}}])'
    result = await build_schema(SETTINGS).execute(f"mutation {{ {call} {{ accepted }} }}",
                                                  context_value=context(frozenset({Role.LEARNER})))
    assert result.errors is None and result.data == {"trackEvents": {"accepted": 1}}
    assert cache.get(LEARNER, "auto") == [COURSE]


@pytest.mark.parametrize("body", [
    [{"eventId": "r1", "type": "course_view", "courseId": COURSE}],
    {"batch": [{"type": "track", "event": "Course Viewed", "messageId": "s1",
                "properties": {"course_id": COURSE}}]},
], ids=["json", "segment"])
async def test_events_posted_to_the_rest_endpoint_drop_the_list(body: Any) -> None:
    await seed_course()
    await _tracking_allowed()
    app = Starlette(routes=[Route("/v1/events", rest_events.events_endpoint(SETTINGS), methods=["POST"])])
    token = issue_token(SETTINGS, LEARNER, [Role.LEARNER], timedelta(minutes=5))
    cache = cached_list()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pathwise") as client:
        response = await client.post("/v1/events", json=body, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert [result["status"] for result in response.json()["results"]] == ["ACCEPTED"], response.json()
    assert cache.get(LEARNER, "auto") is None
