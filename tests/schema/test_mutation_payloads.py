"""Mutations that change what recommendations read return the learner (and their own entities, with ids), so
normalised client caches update by themselves (issue 10, item 5)."""

from typing import Any

import pytest

from app.core.documents import Course, User
from app.core.settings import Settings
from schema.schema import build_schema
from tests.schema.test_command_counts import context

pytestmark = pytest.mark.usefixtures("clean")


async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await build_schema(Settings()).execute(query, variable_values=variables, context_value=context("u1"))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_mark_not_interested_returns_the_learner_with_preferences() -> None:
    await Course(id="c1", title="SQL", topics=["Data"]).save()
    data = await run('mutation { markNotInterested(courseId: "c1") { user { id preferences { notInterestedCourses } } '
                     'errors { code } } }')
    assert data["markNotInterested"] == {"user": {"id": "u1", "preferences": {"notInterestedCourses": ["c1"]}},
                                         "errors": []}


async def test_set_consent_returns_every_consent_with_an_id_and_the_learner() -> None:
    await User(id="u1").save()
    data = await run('mutation { setConsent(purpose: PERSONALIZATION, granted: false) { consents { id purpose granted } '
                     'user { id } errors { code } } }')
    payload = data["setConsent"]
    assert payload["user"] == {"id": "u1"} and payload["errors"] == []
    assert {"id": "u1:personalization", "purpose": "PERSONALIZATION", "granted": False} in payload["consents"]
    assert len({consent["id"] for consent in payload["consents"]}) == len(payload["consents"])
    listed = (await run("{ consents { id granted } }"))["consents"]
    assert {"id": "u1:personalization", "granted": False} in listed  # the same entity as the payload's


async def test_track_events_returns_the_learner_with_the_new_activity() -> None:
    await User(id="u1").save()
    await run("mutation { setConsent(purpose: BEHAVIORAL_TRACKING, granted: true) { errors { code } } }")
    events = [{"eventId": "e1", "type": "search", "properties": {"query": "sql"}}]
    data = await run("mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted "
                     "user { id insights { events } } } }", {"e": events})
    assert data["trackEvents"] == {"accepted": 1, "user": {"id": "u1", "insights": {"events": 1}}}


async def test_a_refused_event_batch_returns_no_learner() -> None:
    data = await run("mutation { trackEvents(events: []) { user { id } errors { code } } }")
    assert data["trackEvents"] == {"user": None, "errors": [{"code": "BAD_USER_INPUT"}]}


async def test_mastery_entries_are_keyed_by_learner_and_skill() -> None:
    data = await run('{ mastery(skills: ["sql"]) { id userId skills { id skillId } } }')
    again = await run('{ mastery(skills: ["sql"]) { id } }')
    other = await run('{ mastery(skills: ["python"]) { id } }')
    assert data["mastery"]["skills"] == [{"id": "u1:sql", "skillId": "sql"}]
    assert data["mastery"]["id"] == again["mastery"]["id"] != other["mastery"]["id"]
