"""recommenders.postprocessing: padding, scores by rank, rank fusion and course similarity."""

from datetime import UTC, datetime

from recommenders.base import Item, Learner, Reason, Recommendation, RecommendationRequest
from recommenders.popular import Popular
from recommenders.postprocessing import by_rank, fused_by_rank, padded, shared_labels, similarity

ITEMS = {
    "a": Item("a", "A", "", ("Python",), ("Programming",)),
    "b": Item("b", "B", "", ("python",), ("Data",)),
    "c": Item("c", "C", "", ("Cooking",), ()),
    "d": Item("d", "D", "", ("Python",), ("Programming",), published=False),
}


def request(k: int, exclude: frozenset[str] = frozenset()) -> RecommendationRequest:
    return RecommendationRequest(Learner(), k, exclude, None, datetime(2026, 1, 1, tzinfo=UTC))


class Listed(Popular):
    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        return [Recommendation(i, 1.0) for i in "abc" if i not in request.exclude][:request.k]


def test_a_short_list_is_padded_below_everything_found() -> None:
    found = padded([Recommendation("b", 0.4)], request(3), Listed())
    assert [rec.item_id for rec in found] == ["b", "a", "c"]
    assert all(rec.score < 0.4 and rec.source == "popular" for rec in found[1:])
    full = [Recommendation("a", 1.0)]
    assert padded(full, request(1), Listed()) is full


def test_scores_by_rank_fall_from_one_toward_a_half() -> None:
    assert [rec.score for rec in by_rank([Recommendation(i, 0.0) for i in "ab"])] == [1.0, 0.75]


def test_fusion_by_rank_rewards_agreement_and_names_the_top_contributor() -> None:
    why = Reason("X", "x")
    lists = {"p": [Recommendation("a", 9.0), Recommendation("b", 1.0)], "q": [Recommendation("b", 0.1, (why,))]}
    fused = fused_by_rank(lists, {"p": 1.0, "q": 1.0}, 2, 5.0, 2)
    assert [rec.item_id for rec in fused] == ["b", "a"]
    assert fused[0].source == "q" and fused[0].reasons == (why,)


def test_shared_labels_rank_published_courses_by_jaccard() -> None:
    found = shared_labels(ITEMS, "a", 5, frozenset())
    assert [rec.item_id for rec in found] == ["b"] and found[0].reasons[0].code == "SIMILAR_TO"
    assert shared_labels(ITEMS, "nope", 5, frozenset()) == []


def test_similarity_without_content_is_by_labels() -> None:
    alike = similarity(None, ITEMS)
    assert alike("a", "b") > alike("a", "c") == 0.0
