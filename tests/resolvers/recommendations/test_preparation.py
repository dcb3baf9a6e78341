"""A learner prepared for the recommenders: practice items falling due while the state is kept are seen at the
next request, without a rebuild."""

from datetime import UTC, datetime, timedelta

from recommenders import readiness
from recommenders.base import Learner
from resolvers.recommendations.preparation import Prepared

BUILT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def prepared(reviews: tuple[tuple[datetime, tuple[str, ...]], ...]) -> Prepared:
    knowledge = readiness.Knowledge({"c1": ["sql"]}, {}, {"sql": "SQL"}, {"sql": readiness.Known(0.9, 0.9)},
                                    due=frozenset(skill for at, skills in reviews if at <= BUILT for skill in skills))
    return Prepared(None, Learner(), frozenset(), knowledge, frozenset(), frozenset(), reviews)


def test_an_item_falling_due_after_the_state_was_built_is_due_at_the_next_request() -> None:
    state = prepared(((BUILT - timedelta(days=1), ("python",)), (BUILT + timedelta(minutes=5), ("sql",))))
    assert state.knowledge is not None and state.knowledge.due == {"python"}
    assert state.knowledge_at(BUILT + timedelta(minutes=1)) is state.knowledge  # nothing new: the same object
    later = state.knowledge_at(BUILT + timedelta(minutes=6))
    assert later is not None and later.due == {"python", "sql"} and later.mastery == state.knowledge.mastery


def test_without_knowledge_or_reviews_there_is_nothing_to_update() -> None:
    assert prepared(()).knowledge_at(BUILT + timedelta(days=30)) == prepared(()).knowledge
    bare = Prepared(None, Learner(), frozenset(), None, frozenset(), frozenset())
    assert bare.knowledge_at(BUILT) is None
