"""Recommendation lists cached per learner: time to live, learner changes, clearing, size."""

from resolvers.learner_changes import LearnerChanges
from resolvers.recommendations.cache import MAX_RENDERINGS, LearnerCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def cache(seconds: float = 30.0, size: int = 100) -> tuple[LearnerCache[str], LearnerChanges, Clock]:
    changes, clock = LearnerChanges(), Clock()
    changes.clock = clock  # type: ignore[method-assign]
    return LearnerCache(seconds, size, changes), changes, clock


def test_an_entry_is_served_until_its_time_to_live_ends() -> None:
    answers, _, clock = cache(seconds=30)
    answers.put("u1", "q", "list", answers.clock())
    clock.now += 29.9
    assert answers.get("u1", "q") == "list" and answers.get("u1", "other") is None
    clock.now += 0.2
    assert answers.get("u1", "q") is None and len(answers) == 0
    assert (answers.hits, answers.misses) == (1, 2)


def test_a_change_of_the_learner_drops_their_entries_only() -> None:
    answers, changes, clock = cache()
    read_at = answers.clock()
    answers.put("u1", "q", "mine", read_at)
    answers.put("u2", "q", "theirs", read_at)
    clock.now += 1
    changes.touched(["u1"])
    assert answers.get("u1", "q") is None and answers.get("u2", "q") == "theirs"


def test_an_answer_read_before_a_change_is_not_stored() -> None:
    answers, changes, clock = cache()
    read_at = answers.clock()  # the request reads the learner's data …
    clock.now += 0.01
    changes.touched(["u1"])  # … a write lands while it computes
    answers.put("u1", "q", "stale", read_at)
    assert answers.get("u1", "q") is None


def test_clearing_drops_everything_and_refuses_answers_read_before_it() -> None:
    answers, _, clock = cache()
    read_at = answers.clock()
    answers.put("u1", "q", "old model", read_at)
    clock.now += 1
    answers.clear()  # a new artifact or catalog
    answers.put("u2", "q", "computed with the old model", read_at)
    assert answers.get("u1", "q") is None and answers.get("u2", "q") is None
    clock.now += 1
    answers.put("u2", "q", "new", answers.clock())
    assert answers.get("u2", "q") == "new"


def test_the_least_recently_used_entry_goes_beyond_the_size() -> None:
    answers, _, _ = cache(size=2)
    for user in ("a", "b"):
        answers.put(user, "q", user, answers.clock())
    assert answers.get("a", "q") == "a"  # now b is the least recently used
    answers.put("c", "q", "c", answers.clock())
    assert [answers.get(user, "q") for user in ("a", "b", "c")] == ["a", None, "c"]


def test_a_zero_time_to_live_or_size_caches_nothing() -> None:
    for answers in (cache(seconds=0)[0], cache(size=0)[0]):
        answers.put("u1", "q", "list", answers.clock())
        assert not answers.enabled and answers.get("u1", "q") is None


def test_renderings_live_with_the_entry_they_were_made_of_the_latest_few_kept() -> None:
    answers, changes, clock = cache()
    kept = answers.put("u1", "q", "list", answers.clock())
    assert kept is not None and answers.rendering("u1", "q", "doc") is None
    answers.render("u1", kept, "doc", {"data": 1})
    assert answers.rendering("u1", "q", "doc") == ("list", {"data": 1})
    for number in range(MAX_RENDERINGS):  # a caller varying its query text: only the latest few are kept
        answers.render("u1", kept, f"doc{number}", {"data": number})
    assert answers.rendering("u1", "q", "doc") is None and answers.rendering("u1", "q", "doc0") is not None
    clock.now += 1
    newer = answers.put("u1", "q", "newer", answers.clock())
    answers.render("u1", kept, "late", {"data": "of the replaced list"})  # made of an entry no longer cached
    assert newer is not None and answers.rendering("u1", "q", "late") is None
    answers.render("u1", newer, "doc", {"data": 2})
    clock.now += 1
    changes.touched(["u1"])
    assert answers.rendering("u1", "q", "doc") is None  # the learner changed: the entry and its renderings go
