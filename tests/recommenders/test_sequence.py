from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommenders.base import Interaction, Item, Learner, RecommendationRequest, TrainingData
from recommenders.sequence import (
    NEXT_AFTER,
    Sequence,
    _co_completion_edges,
    _level_edges,
    _noisy_or,
    _overlap,
    completed_newest_first,
    is_completion,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)

CATALOG = {item.id: item for item in (
    Item("py-intro", "Intro to Python", skills=("Python", "Programming"), level="beginner"),
    Item("py-mid", "Intermediate Python", skills=("Python", "OOP"), level="Intermediate"),
    Item("py-adv", "Advanced Python", skills=("Python", "OOP", "Concurrency"), level="advanced"),
    Item("js-mid", "Intermediate JavaScript", skills=("JavaScript", "Programming"), level="intermediate"),
    Item("sql-1", "SQL Basics", skills=("SQL",)),
    Item("sql-2", "SQL Reporting", skills=("SQL",), prerequisites=("sql-1",)),
    Item("sql-3", "SQL Performance", skills=("SQL",), prerequisites=("sql-1", "sql-2")),
    Item("draft", "Draft", prerequisites=("sql-1",), published=False),
    Item("a", "Course A"), Item("b", "Course B"), Item("c", "Course C"), Item("d", "Course D"),
)}


def done(user: str, item: str, day: int, kind: str | None = "complete", weight: float = 2.0) -> Interaction:
    return Interaction(user, item, weight, T0 + timedelta(days=day), kind)


def fitted(interactions: list[Interaction] | None = None, **options: float) -> Sequence:
    model = Sequence(**options)  # type: ignore[arg-type]
    model.fit(TrainingData(CATALOG, interactions or []))
    return model


def ask(model: Sequence, *history: Interaction, **request: object) -> list[str]:
    query = RecommendationRequest(Learner("me", history=history), **request)  # type: ignore[arg-type]
    return [rec.item_id for rec in model.recommend(query)]


def test_completions_are_kind_complete_or_heavy_signals_without_kind() -> None:
    assert is_completion(done("u", "a", 0))
    assert not is_completion(done("u", "a", 0, kind="enroll"))
    assert is_completion(done("u", "a", 0, kind=None, weight=2.0))
    assert not is_completion(done("u", "a", 0, kind=None, weight=1.0))
    history = [done("u", "a", 1), done("u", "b", 3), Interaction("u", "c", 2.0, None, "complete"), done("u", "a", 4)]
    assert completed_newest_first(history) == ["a", "b", "c"]


def test_prerequisite_chain_gives_next_steps_with_reason() -> None:
    found = fitted().recommend(RecommendationRequest(Learner("me", history=(done("me", "sql-1", 0),))))
    assert [rec.item_id for rec in found] == ["sql-2", "sql-3"]  # sql-3 also needs sql-2: less ready
    assert found[0].reasons[0].code == NEXT_AFTER
    assert found[0].reasons[0].text == "Next after SQL Basics"
    assert found[0].source is None


def test_unpublished_courses_are_never_successors() -> None:
    assert "draft" not in ask(fitted(), done("me", "sql-1", 0), k=10)


def test_co_completion_order_is_learned_with_minimum_support() -> None:
    learners = [[done(f"u{n}", "a", 0), done(f"u{n}", "b", 1)] for n in range(3)]
    learners.append([done("v", "a", 0), done("v", "c", 1)])  # a → c once: below min_support
    learners.append([done("w", "b", 0), done("w", "a", 1), done("w", "d", 2)])  # b → a once, a → d once
    model = fitted([signal for rows in learners for signal in rows])
    assert ask(model, done("me", "a", 0)) == ["b"]
    assert model.successors["a"]["b"] == pytest.approx(3 / 5)
    assert ask(model, done("me", "b", 0)) == []  # b → a seen once only


def test_co_completion_counts_only_within_the_window() -> None:
    edges = _co_completion_edges({"u1": ["a", "x", "y", "b"], "u2": ["a", "b"]}, window=2, min_support=2)
    assert "b" not in edges.get("a", {})
    edges = _co_completion_edges({"u1": ["a", "x", "y", "b"], "u2": ["a", "b"]}, window=3, min_support=2)
    assert edges["a"]["b"] == pytest.approx(1.0)


def test_signals_without_kind_count_as_completions_by_weight() -> None:
    rows = [done(f"u{n}", item, day, kind=None, weight=w) for n in range(2)
            for item, day, w in (("a", 0, 2.0), ("c", 1, 1.0), ("b", 2, 2.0))]
    assert ask(fitted(rows), done("me", "a", 0)) == ["b"]  # c is an enrolment-weight signal, not a completion


def test_level_progression_needs_no_history() -> None:
    model = fitted()
    assert ask(model, done("me", "py-intro", 0)) == ["py-mid", "py-adv"]
    assert "js-mid" not in model.successors.get("py-intro", {})  # other main skill
    edges = _level_edges(CATALOG.values(), min_overlap=0.5, weight=0.8)
    assert edges["py-intro"]["py-mid"] == pytest.approx(0.8 * 0.5)
    assert edges["py-intro"]["py-adv"] == pytest.approx(0.8 * 0.5 / 2)
    assert "py-intro" not in edges.get("py-mid", {})  # never backwards


def test_overlap_and_noisy_or() -> None:
    assert _overlap(("Python", "OOP"), ("python", "oop", "x")) == 1.0
    assert _overlap((), ("a",)) == 0.0
    assert _noisy_or([{"a": {"b": 0.5}}, {"a": {"b": 0.5}}], set())["a"]["b"] == pytest.approx(0.75)


def test_newest_completion_weighs_most() -> None:
    model = fitted(prerequisite_weight=0.4)  # as strong as the py-intro → py-mid level step
    found = model.recommend(RecommendationRequest(Learner("me", history=(done("me", "sql-1", 0),
                                                                         done("me", "py-intro", 5)))))
    assert found[0].item_id == "py-mid"
    assert found[0].reasons[0].text == "Next after Intro to Python"
    assert ask(model, done("me", "sql-1", 5), done("me", "py-intro", 0))[0] == "sql-2"


def test_exclusion_allowed_and_k_are_respected() -> None:
    model = fitted()
    history = (done("me", "sql-1", 0), done("me", "py-intro", 1))
    assert "sql-2" not in ask(model, *history, exclude=frozenset({"sql-2"}))
    assert ask(model, *history, allowed=frozenset({"sql-3", "py-intro"})) == ["sql-3"]
    assert len(ask(model, *history, k=1)) == 1
    assert ask(model, *history, k=0) == []


def test_no_completion_gives_nothing() -> None:
    assert ask(fitted(), Interaction("me", "sql-1", 1.0, T0, "enroll")) == []


def test_save_load_round_trip(tmp_path: Path) -> None:
    rows = [signal for n in range(2) for signal in (done(f"u{n}", "a", 0), done(f"u{n}", "b", 1))]
    model = fitted(rows, window=2)
    model.save(tmp_path)
    loaded = Sequence.load(tmp_path)
    assert loaded.config() == model.config()
    assert loaded.window == 2
    history = (done("me", "a", 0), done("me", "sql-1", 1))
    request = RecommendationRequest(Learner("me", history=history))
    assert loaded.recommend(request) == model.recommend(request)
    assert "pickle" not in (tmp_path / "sequence.json").read_text()
