from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommenders.base import (
    Interaction,
    Item,
    Learner,
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
)
from recommenders.collaborative import Ease
from recommenders.content import Content
from recommenders.hybrid import DEFAULT_TIERS, Hybrid, history_size
from recommenders.popular import Popular
from recommenders.sequence import Sequence

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Fixed(Recommender):
    """Returns its list (ignoring exclude/allowed, like a careless plugin) and records what it was asked."""

    name = "fixed"

    def __init__(self, ids: str = "", code: str = "FIXED") -> None:
        self.ids, self.code = ids, code
        self.requests: list[RecommendationRequest] = []
        self.fitted = False

    def fit(self, data: TrainingData) -> None:
        self.fitted = True

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)

    @classmethod
    def load(cls, directory: Path) -> "Fixed":
        return cls()

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        self.requests.append(request)
        return [Recommendation(i, 1.0 - n / 10, (Reason(self.code, f"{self.code} {i}"),))
                for n, i in enumerate(self.ids)][: request.k]


class Broken(Fixed):
    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        raise RuntimeError("boom")


def learner(items: int, **options: object) -> Learner:
    history = tuple(Interaction("me", f"h{n}", 1.0, T0 + timedelta(days=n), "enroll") for n in range(items))
    return Learner("me", history=history, **options)  # type: ignore[arg-type]


def fixed_hybrid(**components: Fixed) -> Hybrid:
    return Hybrid.compose(components)


def test_history_size_counts_distinct_positive_items() -> None:
    history = (Interaction("u", "a"), Interaction("u", "a", 2.0), Interaction("u", "b", -1.0), Interaction("u", "c"))
    assert history_size(Learner(history=history)) == 2


def test_weights_change_with_history_size() -> None:
    hybrid = fixed_hybrid(popular=Fixed(), content=Fixed(), cf=Fixed(), sequence=Fixed())
    cold, few, many = (hybrid.weights_for(learner(n)) for n in (0, 2, 12))
    assert set(cold) == {"popular", "content"}
    assert few["content"] > many["content"] and few["sequence"] > many["sequence"]
    assert max(many, key=lambda key: many[key]) == "cf"
    assert few["popular"] < cold["popular"]


def test_missing_components_are_skipped() -> None:
    hybrid = fixed_hybrid(popular=Fixed("ab"), cf=Fixed("cd"))
    assert set(hybrid.weights_for(learner(12))) == {"popular", "cf"}
    assert [r.item_id for r in hybrid.recommend(RecommendationRequest(learner(12), k=4))] == ["c", "d", "a", "b"]


def test_fusion_rewards_agreement_and_keeps_top_contributor_reasons_and_source() -> None:
    cf, content = Fixed("xyz", "CF"), Fixed("zw", "CONTENT")
    hybrid = Hybrid.compose({"cf": cf, "content": content}, tiers=((0, {"cf": 0.6, "content": 0.4}),), rrf_k=5.0)
    found = hybrid.recommend(RecommendationRequest(learner(12), k=3))
    assert [r.item_id for r in found] == ["z", "x", "y"]  # z is in both lists
    assert found[0].score == pytest.approx(0.6 / (5 + 3) + 0.4 / (5 + 1))
    assert found[0].reasons == (Reason("CF", "CF z"), Reason("CONTENT", "CONTENT z"))  # cf gives most, max 2
    assert [r.source for r in found] == ["cf", "cf", "cf"]
    assert found[0].score > found[1].score


def test_components_are_asked_for_more_than_k() -> None:
    cf = Fixed("abc")
    fixed_hybrid(cf=cf).recommend(RecommendationRequest(learner(12), k=2))
    assert cf.requests[0].k > 2


def test_exclude_and_allowed_hold_even_when_a_component_ignores_them() -> None:
    hybrid = fixed_hybrid(cf=Fixed("abcd"))
    request = RecommendationRequest(learner(12), exclude=frozenset({"a"}), allowed=frozenset({"a", "b", "d"}))
    assert [r.item_id for r in hybrid.recommend(request)] == ["b", "d"]


def test_personalization_off_asks_popular_only_and_anonymously() -> None:
    popular, cf, content = Fixed("pq"), Fixed("xy"), Fixed("zw")
    hybrid = fixed_hybrid(popular=popular, cf=cf, content=content)
    me = learner(12, personalization_enabled=False, interests={"SQL": 1.0}, segments={"role": "analyst"})
    found = hybrid.recommend(RecommendationRequest(me, k=5))
    assert [r.item_id for r in found] == ["p", "q"]
    assert {r.source for r in found} == {"popular"}
    assert not cf.requests and not content.requests
    asked = popular.requests[0].learner
    assert (asked.user_id, tuple(asked.history), dict(asked.segments), dict(asked.interests)) == (None, (), {}, {})


def test_a_raising_component_does_not_sink_the_blend(caplog: pytest.LogCaptureFixture) -> None:
    hybrid = fixed_hybrid(cf=Broken("xy"), content=Fixed("ab"))
    found = hybrid.recommend(RecommendationRequest(learner(12), k=2))
    assert [(r.item_id, r.source) for r in found] == [("a", "content"), ("b", "content")]
    assert "cf failed" in caplog.text


def test_cold_learner_gets_popular_and_profile_content() -> None:
    popular, content, cf = Fixed("p"), Fixed("c"), Fixed("x")
    found = fixed_hybrid(popular=popular, content=content, cf=cf).recommend(RecommendationRequest(Learner("me")))
    assert {r.item_id for r in found} == {"p", "c"}
    assert not cf.requests


def test_fit_fits_every_component_and_no_arg_constructor_has_defaults() -> None:
    components = {"popular": Fixed(), "cf": Fixed()}
    Hybrid(components).fit(TrainingData({}, []))
    assert all(component.fitted for component in components.values())
    defaults = Hybrid().components
    assert [type(defaults[key]) for key in ("popular", "content", "cf", "sequence")] == [Popular, Content, Ease,
                                                                                         Sequence]


def test_config_covers_tiers_and_components() -> None:
    first = Hybrid({"cf": Ease(l2=10.0)}).config()
    assert first["components"]["cf"]["l2"] == 10.0
    assert first != Hybrid({"cf": Ease(l2=10.0)}, tiers=((0, {"cf": 1.0}),)).config()
    assert first["tiers"] == [[n, w] for n, w in DEFAULT_TIERS]


def _training() -> TrainingData:
    items = {i: Item(i, f"Course {i}") for i in "abcdef"}
    rows = [Interaction(f"u{n}", item, 2.0, T0 + timedelta(days=day), "complete")
            for n in range(6) for day, item in enumerate("abc" if n % 2 else "abd")]
    return TrainingData(items, rows)


def test_save_load_round_trip(tmp_path: Path) -> None:
    hybrid = Hybrid({"popular": Popular(), "cf": Ease(l2=1.0), "sequence": Sequence()}, rrf_k=5.0)
    hybrid.fit(_training())
    hybrid.save(tmp_path)
    loaded = Hybrid.load(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cf", "hybrid.json", "popular", "sequence"]
    assert loaded.config() == hybrid.config()
    me = Learner("me", history=(Interaction("me", "a", 2.0, T0, "complete"),))
    request = RecommendationRequest(me, k=3, exclude=frozenset({"a"}))
    assert loaded.recommend(request) == hybrid.recommend(request)
    assert hybrid.recommend(request)


def test_load_refuses_unknown_components(tmp_path: Path) -> None:
    Hybrid({"mine": Fixed()}).save(tmp_path)
    with pytest.raises(ValueError, match="fixed"):
        Hybrid.load(tmp_path)
    assert isinstance(Hybrid.load(tmp_path, registry={"fixed": Fixed}).components["mine"], Fixed)
