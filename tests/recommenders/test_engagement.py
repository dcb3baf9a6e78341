from datetime import UTC, datetime

from recommenders.base import Interaction
from recommenders.engagement import because_you, similar_to, strongest_kinds, what_you_did

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_reason_texts_say_what_the_learner_did_and_never_more() -> None:
    assert because_you("complete", "SQL") == "Because you completed SQL"
    assert because_you("enroll", "SQL") == "Because you are taking SQL"
    assert because_you("course_view", "SQL") == "Because you looked at SQL"
    assert similar_to("rate", "SQL") == "Similar to SQL, which you rated highly"
    assert what_you_did(None) == what_you_did("custom:thing") == "showed interest in"


def test_the_strongest_signal_per_item_names_it() -> None:
    history = [Interaction("u", "a", 0.3, T, "course_view"), Interaction("u", "a", 2.0, T, "complete"),
               Interaction("u", "b", 0.3, T, "course_view"), Interaction("u", "c", 0.0, T, "rate")]
    assert strongest_kinds(history) == {"a": "complete", "b": "course_view"}
