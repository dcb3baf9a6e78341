import pytest

from recommenders.base import Item, Reason, Recommendation
from recommenders.reranking import (
    DECLARED_BOOST,
    FITS_YOUR_TIME,
    _normalised,
    favour_declared,
    fit_to_context,
    jaccard_similarity,
    mmr,
    time_fit,
)

ITEMS = {item.id: item for item in (
    Item("long", "Data Science Bootcamp", skills=("Python", "Statistics"), duration_minutes=600),
    Item("medium", "Pandas in Depth", skills=("Python", "Pandas"), duration_minutes=20),
    Item("short", "SQL in Five Minutes", skills=("SQL",), duration_minutes=5),
    Item("unknown", "Mystery Course", skills=("Python", "Statistics")),
)}
BASE = Reason("POPULAR", "Popular with learners")


def recs(*pairs: tuple[str, float]) -> list[Recommendation]:
    return [Recommendation(item_id, score, (BASE,), source="cf") for item_id, score in pairs]


def test_time_fit_is_neutral_when_it_fits_and_falls_smoothly() -> None:
    assert time_fit(5, 10) == time_fit(10, 10) == time_fit(None, 10) == 1.0
    assert time_fit(20, 10) == pytest.approx(0.5)
    assert time_fit(30, 10) == pytest.approx(0.2)
    assert time_fit(11, 10) > 0.99


def test_phone_with_ten_free_minutes_puts_a_short_item_first() -> None:
    found = fit_to_context(recs(("long", 1.0), ("unknown", 0.6), ("short", 0.5)), ITEMS, 10, "mobile")
    assert [r.item_id for r in found] == ["unknown", "short", "long"]  # no duration: neutral
    short = found[1]
    assert short.reasons == (BASE, Reason(FITS_YOUR_TIME, "Fits in your 10 free minutes"))
    assert short.source == "cf" and short.score == 0.5
    assert found[2].reasons == (BASE,)
    assert fit_to_context(recs(("long", 1.0), ("short", 0.5)), ITEMS, 10, "Phone")[0].item_id == "short"


def test_desktop_or_no_time_leaves_the_list_alone() -> None:
    original = recs(("long", 1.0), ("short", 0.5))
    assert fit_to_context(original, ITEMS, 10, "desktop") == original
    assert fit_to_context(original, ITEMS, None, "mobile") == original
    assert fit_to_context(original, ITEMS, 10, None) == original


def test_mmr_with_diversity_zero_keeps_the_order() -> None:
    original = recs(("a", 0.1), ("b", 0.9), ("c", 0.5))  # not sorted: still unchanged
    assert mmr(original, lambda a, b: 1.0, 2, 0.0) == original[:2]


def test_mmr_diversifies_away_from_similar_items() -> None:
    candidates = recs(("long", 1.0), ("unknown", 0.9), ("medium", 0.8), ("short", 0.1))
    similarity = jaccard_similarity(ITEMS)
    assert [r.item_id for r in mmr(candidates, similarity, 3, 1.0)] == ["long", "short", "medium"]
    assert [r.item_id for r in mmr(candidates, similarity, 3, 0.5)] == ["long", "medium", "short"]
    assert [r.item_id for r in mmr(candidates, similarity, 3, 0.1)] == ["long", "unknown", "medium"]


def test_mmr_bounds() -> None:
    with pytest.raises(ValueError, match="diversity"):
        mmr(recs(("a", 1.0)), lambda a, b: 0.0, 1, 1.5)
    assert mmr(recs(("a", 1.0)), lambda a, b: 0.0, 5, 0.5) == recs(("a", 1.0))
    assert mmr([], lambda a, b: 0.0, 5, 0.5) == []


def test_scores_are_normalised_to_unit_range() -> None:
    assert _normalised([2.0, 4.0, 3.0]) == [0.0, 1.0, 0.5]
    assert _normalised([3.0, 3.0]) == [1.0, 1.0]


def test_jaccard_similarity_over_skills_and_topics() -> None:
    similarity = jaccard_similarity({**ITEMS, "t": Item("t", topics=("python",)), "bare": Item("bare")})
    assert similarity("long", "unknown") == 1.0
    assert similarity("long", "medium") == pytest.approx(1 / 3)
    assert similarity("long", "t") == pytest.approx(1 / 2)  # case-folded
    assert similarity("bare", "bare") == similarity("long", "nope") == 0.0


def test_declared_goals_and_interests_lift_their_courses_a_little() -> None:
    items = {"sql": Item("sql", skills=("SQL",)), "py": Item("py", skills=("Python",)),
             "viz": Item("viz", topics=("Data Visualization",))}
    recs = [Recommendation("py", 1.0), Recommendation("sql", 0.9), Recommendation("viz", 0.7)]
    lifted = favour_declared(recs, items, frozenset({"sql", "data visualization"}))
    assert [rec.item_id for rec in lifted] == ["sql", "py", "viz"]  # 1.125 > 1.0 > 0.875
    assert lifted[0].score == pytest.approx(0.9 * DECLARED_BOOST)
    assert favour_declared(recs, items, frozenset()) == recs
