from datetime import UTC, datetime
from typing import ClassVar

import pytest

from recommenders.base import Interaction, Item, Recommendation, RecommendationRequest, TrainingData
from recommenders.evaluation.protocols import Split
from recommenders.evaluation.runner import evaluate, steps
from recommenders.popular import Popular


def _split() -> Split:
    # "a" is seen by everyone in train; u1 and u2 hold out "b" (second most popular), u3 holds out "d"
    train = [Interaction(u, "a") for u in ("u1", "u2", "u3", "u4")] + [Interaction("u4", "b"), Interaction("u5", "b"),
                                                                       Interaction("u5", "c")]
    items = {i: Item(i) for i in "abcdefghij"}
    return Split(TrainingData(items, train), {"u1": {"b"}, "u2": {"b"}, "u3": {"d"}})


def test_popular_scores_are_the_known_answer() -> None:
    calls: list[str] = []
    report = evaluate([Popular()], _split(), k=1, dataset="toy", protocol="given", progress=calls.append)
    scores = report.results[0]
    # train item "a" is excluded, so everyone gets "b": a hit for u1 and u2, a miss for u3
    assert scores.ndcg == pytest.approx(2 / 3)
    assert scores.precision == pytest.approx(2 / 3)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.hit_rate == pytest.approx(2 / 3)
    assert scores.coverage == pytest.approx(1 / 10)
    assert (scores.users, report.test_users, report.catalog_size, report.k) == (3, 3, 10, 1)
    assert len(calls) == steps([Popular()], _split()) == 4


def test_report_is_json_ready() -> None:
    report = evaluate([Popular()], _split(), k=3)
    assert report.to_dict()["results"][0]["recommender"] == "popular"


def test_learners_are_asked_as_of_their_cut() -> None:
    class Recording(Popular):
        asked: ClassVar[dict[str, datetime | None]] = {}

        def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
            self.asked[request.learner.user_id or ""] = request.now
            return super().recommend(request)

    cut = datetime(2026, 3, 1, tzinfo=UTC)
    parts = _split()
    evaluate([Recording()], Split(parts.train, parts.test, {"u1": cut}), k=1)
    assert Recording.asked == {"u1": cut, "u2": None, "u3": None}
