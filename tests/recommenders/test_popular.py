from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommenders.base import Interaction, Item, Learner, RecommendationRequest, TrainingData
from recommenders.popular import Popular

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _data(segments: dict[str, dict[str, str]] | None = None, timed: bool = False) -> TrainingData:
    old = NOW - timedelta(days=300)
    rows = [("u1", "a", old), ("u2", "a", old), ("u3", "a", old), ("u1", "b", NOW), ("u2", "b", NOW),
            ("u4", "c", NOW), ("u5", "c", NOW - timedelta(days=1))]
    interactions = [Interaction(u, i, 1.0, at if timed else None) for u, i, at in rows]
    items = {i: Item(i) for i in "abcd"}
    return TrainingData(items, interactions, segments or {})


def _ids(popular: Popular, learner: Learner = Learner(), **request: object) -> list[str]:
    return [r.item_id for r in popular.recommend(RecommendationRequest(learner, **request))]  # type: ignore[arg-type]


def test_global_ranks_by_count_and_respects_exclude_allowed_k() -> None:
    popular = Popular()
    popular.fit(_data())
    assert _ids(popular) == ["a", "b", "c"]
    assert _ids(popular, exclude=frozenset({"a"})) == ["b", "c"]
    assert _ids(popular, allowed=frozenset({"c", "d"})) == ["c"]
    assert _ids(popular, k=1) == ["a"]
    assert popular.recommend(RecommendationRequest(Learner()))[0].reasons[0].code == "POPULAR"


def test_trending_decays_old_interactions() -> None:
    popular = Popular("trending", half_life_days=7, trending_top=1)
    popular.fit(_data(timed=True))
    recs = popular.recommend(RecommendationRequest(Learner()))
    assert [r.item_id for r in recs] == ["b", "c", "a"]
    assert [r.reasons[0].code for r in recs] == ["TRENDING", "POPULAR", "POPULAR"]


def test_trending_falls_back_to_global_without_times() -> None:
    popular = Popular("trending")
    popular.fit(_data())
    assert _ids(popular) == ["a", "b", "c"]


def test_segments_blend_when_large_enough_else_global() -> None:
    segments = {"u4": {"role": "dev"}, "u5": {"role": "dev"}, "u1": {"role": "pm"}}
    popular = Popular(min_segment_learners=2)
    popular.fit(_data(segments))
    dev = Learner(segments={"role": "dev"})
    assert _ids(popular, dev)[0] == "c"
    assert popular.recommend(RecommendationRequest(dev))[0].reasons[0].code == "POPULAR_WITH_SIMILAR"
    assert _ids(popular, Learner(segments={"role": "pm"})) == ["a", "b", "c"]  # thin: one learner
    assert _ids(popular, Learner(segments={"role": "ceo"})) == ["a", "b", "c"]  # unknown


def test_save_load_round_trip(tmp_path: Path) -> None:
    popular = Popular("trending", min_segment_learners=2)
    popular.fit(_data({"u4": {"role": "dev"}, "u5": {"role": "dev"}}, timed=True))
    popular.save(tmp_path)
    loaded = Popular.load(tmp_path)
    for learner in (Learner(), Learner(segments={"role": "dev"})):
        request = RecommendationRequest(learner)
        assert loaded.recommend(request) == popular.recommend(request)


def test_unknown_ranking_is_refused() -> None:
    with pytest.raises(ValueError, match="ranking"):
        Popular("newest")
