"""resolvers.events.tracking → practice: stored quiz answers move mastery and the review schedule; a replay does not."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.documents import Exercise, KnowledgeState, ReviewCard
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from app.core.timestamps import utcnow
from resolvers.events.tracking import IngestOptions, track_events
from resolvers.practice.knowledge import mastery_of, trackers_for
from resolvers.practice.review_queue import review_queue

pytestmark = pytest.mark.usefixtures("clean")


def answer(n: int, correct: bool) -> dict[str, Any]:
    return {"user_id": "q1", "event_id": f"qa-{n}", "type": "quiz_answer",
            "properties": {"item_id": f"ex-{n % 3}", "skill": "sql", "correct": correct, "response_time_ms": 9000}}


async def test_quiz_answers_update_mastery_and_reviews_once(tmp_path: Path) -> None:
    for n in range(3):
        await Exercise(id=f"ex-{n}", skills=["sql"], choices=["a", "b"], answers=["a"], expected_seconds=20).insert()
    settings = Settings(data_dir=tmp_path)
    options = IngestOptions(settings=settings, trackers=trackers_for(settings))
    batch = [answer(n, True) for n in range(6)]
    await track_events(batch, options)
    state = await KnowledgeState.get("q1")
    assert state is not None and state.skills[field_key("sql")].attempts == 6
    rising = (await mastery_of("q1", ["sql"], utcnow(), options.settings, options.trackers))[0]
    assert rising.probability > 0.7 and rising.source == "practice"
    cards = await ReviewCard.find({"user_id": "q1"}).to_list()
    assert sorted(card.exercise_id for card in cards) == ["ex-0", "ex-1", "ex-2"]
    assert all(card.reviews == 2 for card in cards)
    await track_events(batch, options)  # a replay: duplicates change nothing
    again = await KnowledgeState.get("q1")
    assert again is not None and again.skills[field_key("sql")].attempts == 6
    await track_events([answer(n, False) for n in range(6, 12)], options)
    falling = (await mastery_of("q1", ["sql"], utcnow(), options.settings, options.trackers))[0]
    assert falling.probability < rising.probability
    due = await review_queue("q1", 10, utcnow() + timedelta(days=1), options.settings.review_retention)
    assert {item.card.exercise_id for item in due} == {"ex-0", "ex-1", "ex-2"}  # lapsed items are due again soon
