"""Onboarding, profile questions, preferences and connected accounts through HTTP against a live
`pathwise serve` (the real embedding model runs in the server)."""

from typing import Any

import httpx
import pytest

from app.core.tokens import Role
from tests.conftest import LiveServer
from tests.resolvers.profile.account_payloads import GITHUB_USER, LINKEDIN_FULL

PROFILE = """preferences { followedTopics followedInstructors notInterestedCourses notInterestedTopics
  dismissedCourses feedback { requestId courseId positive action } }"""


def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = gql(client, query, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer) -> None:
    partner = live_server.client("platform", Role.PARTNER)
    courses = [
        {"id": "pf-web", "title": "Web basics", "skills": ["HTML", "CSS", "TypeScript", "React"],
         "topics": ["Web Development"], "instructors": ["Maren Okafor"]},
        {"id": "pf-a11y", "title": "Accessible pages", "skills": ["Web Accessibility"], "topics": ["Web Development"]},
        {"id": "pf-data", "title": "Data basics", "skills": ["SQL", "Data Analysis", "Spreadsheets"],
         "topics": ["Data Science"]},
    ]
    body = data(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                {"c": courses})
    assert body["upsertCourses"]["errors"] == []


def _has_set_consent(client: httpx.Client) -> bool:
    fields = data(client, '{ __type(name: "Mutation") { fields { name } } }')["__type"]["fields"]
    return any(field["name"] == "setConsent" for field in fields)


@pytest.mark.usefixtures("catalog")
def test_taxonomy_lists_catalog_skills_and_topics(live_server: LiveServer) -> None:
    with live_server.client("pf-tax") as client:
        taxonomy = data(client, "{ taxonomy { skills topics } }")["taxonomy"]
    assert {"HTML", "SQL", "Web Accessibility"} <= set(taxonomy["skills"])
    assert {"Web Development", "Data Science"} <= set(taxonomy["topics"])
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        assert gql(anonymous, "{ taxonomy { skills } }")["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.usefixtures("catalog")
def test_onboarding_then_profile_questions(live_server: LiveServer) -> None:
    question = "{ nextProfileQuestion { id kind field options reason } }"
    submit = """mutation($input: OnboardingInput!) { submitOnboarding(input: $input) {
        user { goals interests weeklyMinutesTarget preferredFormats
               onboarding { completedAt selfAssessedLevel otherSkills } provenance { field source } }
        errors { code field index } } }"""
    with live_server.client("pf-onboard") as client:
        assert data(client, question)["nextProfileQuestion"]["kind"] == "FORM"
        refused = data(client, submit, {"input": {"goals": ["sql", "Knitting"]}})["submitOnboarding"]
        assert refused == {"user": None, "errors": [{"code": "BAD_USER_INPUT", "field": "goals", "index": 1}]}
        answers = {"goals": ["sql"], "interests": ["data science"], "other": "I want to build websites",
                   "weeklyMinutes": 90, "level": "BEGINNER", "preferredFormats": ["VIDEO", "PROJECT"]}
        payload = data(client, submit, {"input": answers})["submitOnboarding"]
        assert payload["errors"] == []
        user = payload["user"]
        assert (user["goals"], user["weeklyMinutesTarget"], user["preferredFormats"]) == (["SQL"], 90,
                                                                                         ["video", "project"])
        assert "Web Development" in user["onboarding"]["otherSkills"]
        assert user["interests"] == ["Data Science", *user["onboarding"]["otherSkills"]]
        assert user["onboarding"]["selfAssessedLevel"] == "beginner"
        assert {"field": "weeklyMinutesTarget", "source": "learner"} in user["provenance"]
        assert data(client, question)["nextProfileQuestion"] is None  # nothing more on day one


def test_answer_and_skip_profile_questions(live_server: LiveServer) -> None:
    answer = """mutation($id: ID!, $a: String!) { answerProfileQuestion(questionId: $id, answer: $a) {
        user { weeklyMinutesTarget onboarding { answeredQuestions } } nextQuestion { id } errors { code field } } }"""
    skip = """mutation($id: ID!) { skipProfileQuestion(questionId: $id) {
        user { onboarding { skippedQuestions } } nextQuestion { id } errors { code } } }"""
    with live_server.client("pf-questions") as client:
        payload = data(client, answer, {"id": "weekly_time", "a": "120"})["answerProfileQuestion"]
        assert payload["user"] == {"weeklyMinutesTarget": 120, "onboarding": {"answeredQuestions": ["weekly_time"]}}
        assert payload["nextQuestion"] == {"id": "onboarding"}
        bad = data(client, answer, {"id": "weekly_time", "a": "lots"})["answerProfileQuestion"]
        assert bad["errors"] == [{"code": "BAD_USER_INPUT", "field": "answer"}]
        skipped = data(client, skip, {"id": "onboarding"})["skipProfileQuestion"]
        assert skipped == {"user": {"onboarding": {"skippedQuestions": ["onboarding"]}}, "nextQuestion": None,
                           "errors": []}
        unknown = data(client, skip, {"id": "nope"})["skipProfileQuestion"]
        assert unknown["errors"] == [{"code": "NOT_FOUND"}]


@pytest.mark.usefixtures("catalog")
def test_preferences_are_reflected_on_the_user(live_server: LiveServer) -> None:
    with live_server.client("pf-prefs") as client:
        def run(mutation: str) -> dict[str, Any]:
            name = mutation.partition("(")[0]
            result: dict[str, Any] = data(client, f"mutation {{ {mutation} {{ user {{ interests {PROFILE} }} "
                                                  "errors { code field index } } }")[name]
            return result
        run('followTopic(topic: "web development")')
        run('followInstructor(instructor: "maren okafor")')
        run('markNotInterested(courseId: "pf-data")')
        run('markNotInterested(topic: "Data Science")')
        run('rateRecommendation(requestId: "rq-1", courseId: "pf-web", positive: true)')
        last = run('dismissRecommendation(courseId: "pf-a11y", requestId: "rq-1")')
        assert last["errors"] == []
        assert last["user"]["preferences"] == {
            "followedTopics": ["Web Development"], "followedInstructors": ["Maren Okafor"],
            "notInterestedCourses": ["pf-data"], "notInterestedTopics": ["Data Science"],
            "dismissedCourses": ["pf-a11y"],
            "feedback": [{"requestId": "rq-1", "courseId": "pf-web", "positive": True, "action": "thumbs"},
                         {"requestId": "rq-1", "courseId": "pf-a11y", "positive": False, "action": "dismiss"}]}
        assert run('undoNotInterested(topic: "data science")')["user"]["preferences"]["notInterestedTopics"] == []
        assert run('setInterests(interests: ["sql", "Nope"])')["errors"] == [
            {"code": "BAD_USER_INPUT", "field": "interests", "index": 1}]
        assert run('setInterests(interests: ["sql", "css"])')["user"]["interests"] == ["SQL", "CSS"]
        assert run('followTopic(topic: "Knitting")')["errors"] == [{"code": "NOT_FOUND", "field": "topic",
                                                                    "index": None}]
        assert run('rateRecommendation(requestId: "r", courseId: "nope", positive: false)')["errors"][0][
            "code"] == "NOT_FOUND"


def test_learners_change_only_their_own_profile(live_server: LiveServer) -> None:
    with live_server.client("pf-a") as client:
        body = gql(client, 'mutation { followTopic(topic: "SQL", userId: "pf-b") { errors { code } } }')
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = gql(client, '{ nextProfileQuestion(userId: "pf-b") { id } }')
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


CONNECT = """mutation($p: AccountProvider!, $profile: JSON!) { connectAccount(provider: $p, profile: $profile) {
    account { provider externalId imported positions { title company current } education { school degree } }
    user { jobTitle interests provenance { field value source } connectedAccounts { provider } }
    errors { code field } } }"""


@pytest.mark.usefixtures("catalog")
def test_connect_needs_consent_and_disconnect_removes_the_import(live_server: LiveServer) -> None:
    with live_server.client("pf-accounts") as client:
        refused = data(client, CONNECT, {"p": "GITHUB", "profile": GITHUB_USER})["connectAccount"]
        assert refused == {"account": None, "user": None, "errors": [{"code": "CONSENT_REQUIRED", "field": None}]}
        if not _has_set_consent(client):
            pytest.skip("setConsent is not in the schema yet: the consented path is covered by resolver tests")
        granted = gql(client, "mutation { setConsent(purpose: THIRD_PARTY_IMPORT, granted: true) { errors { code } } }")
        assert granted["data"]["setConsent"]["errors"] == []
        github = data(client, CONNECT, {"p": "GITHUB", "profile": GITHUB_USER})["connectAccount"]
        assert github["errors"] == [] and github["account"]["externalId"] == "5829113"
        assert set(github["user"]["interests"]) == {"Web Accessibility", "TypeScript", "React"}
        assert {"field": "interests", "value": "react", "source": "github"} in github["user"]["provenance"]
        linkedin = data(client, CONNECT, {"p": "LINKEDIN", "profile": LINKEDIN_FULL})["connectAccount"]
        assert linkedin["account"]["positions"][0] == {"title": "Logistics Coordinator",
                                                       "company": "Atlantic Logistics", "current": True}
        assert linkedin["user"]["jobTitle"] == "Logistics Coordinator"
        assert linkedin["user"]["connectedAccounts"] == [{"provider": "GITHUB"}, {"provider": "LINKEDIN"}]
        gone = data(client, """mutation { disconnectAccount(provider: GITHUB) {
            user { interests provenance { source } connectedAccounts { provider } } errors { code } } }""")
        user = gone["disconnectAccount"]["user"]
        assert "React" not in user["interests"] and {"source": "github"} not in user["provenance"]
        assert user["connectedAccounts"] == [{"provider": "LINKEDIN"}]
        again = data(client, "mutation { disconnectAccount(provider: GITHUB) { errors { code } } }")
        assert again["disconnectAccount"]["errors"] == [{"code": "NOT_FOUND"}]


def test_connect_refuses_a_bad_payload(live_server: LiveServer) -> None:
    with live_server.client("root", Role.ADMIN) as admin:
        body = data(admin, CONNECT.replace("connectAccount(provider: $p, profile: $profile)",
                                           'connectAccount(provider: $p, profile: $profile, userId: "pf-bad")'),
                    {"p": "GOOGLE", "profile": {"$where": "1"}})
    assert body["connectAccount"]["errors"] == [{"code": "BAD_USER_INPUT", "field": "profile"}]
