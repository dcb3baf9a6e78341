"""recommenders.interleaving: team-draft interleaving of two rankings."""

import random

from hypothesis import given
from hypothesis import strategies as st

from recommenders.interleaving import Drafted, team_draft

ITEMS = st.sampled_from([f"c{i}" for i in range(12)])
RANKING = st.lists(ITEMS, max_size=10, unique=True)
K = st.integers(min_value=-2, max_value=25)
SEED = st.integers(min_value=0, max_value=2**32)


def _a_first(seed: int) -> bool:
    """Whether A wins the first coin under `seed`, as team_draft flips it."""
    return random.Random(seed).random() < 0.5


def _seeds(a_first: bool, count: int = 1) -> list[int]:
    return [seed for seed in range(200) if _a_first(seed) == a_first][:count]


def test_a_round_picks_each_teams_best_with_the_coin_deciding_who_goes_first() -> None:
    a_seed, b_seed = _seeds(True)[0], _seeds(False)[0]
    assert team_draft(["x", "y"], ["u", "v"], 2, a_seed) == [Drafted("x", 0), Drafted("u", 1)]
    assert team_draft(["x", "y"], ["u", "v"], 2, b_seed) == [Drafted("u", 1), Drafted("x", 0)]


def test_an_item_both_rank_first_goes_to_the_team_picking_first_and_the_other_takes_its_next() -> None:
    seed = _seeds(True)[0]
    merged = team_draft(["x", "y", "z"], ["x", "z", "w"], 3, seed)
    assert merged[:2] == [Drafted("x", 0), Drafted("z", 1)]
    assert merged[2] in (Drafted("y", 0), Drafted("w", 1))


def test_identical_rankings_keep_their_order_whoever_picks() -> None:
    ranking = ["a", "b", "c", "d", "e"]
    for seed in range(20):
        assert [d.item_id for d in team_draft(ranking, ranking, 5, seed)] == ranking


def test_a_team_with_nothing_left_lets_the_other_continue() -> None:
    merged = team_draft(["x"], ["u", "v", "w"], 10, seed=3)
    assert sorted(d.item_id for d in merged) == ["u", "v", "w", "x"]
    assert [d.item_id for d in merged if d.team == 1] == ["u", "v", "w"]


def test_no_k_or_no_candidates_gives_an_empty_list() -> None:
    assert team_draft(["x"], ["y"], 0, 1) == []
    assert team_draft(["x"], ["y"], -3, 1) == []
    assert team_draft([], [], 5, 1) == []


@given(RANKING, RANKING, K, SEED)
def test_merged_list_has_no_duplicates_and_the_size_of_the_union_capped_at_k(
    a: list[str], b: list[str], k: int, seed: int
) -> None:
    merged = team_draft(a, b, k, seed)
    ids = [d.item_id for d in merged]
    assert len(ids) == len(set(ids))
    assert len(ids) == max(0, min(k, len(set(a) | set(b))))


@given(RANKING, RANKING, K, SEED)
def test_every_item_comes_from_its_teams_ranking_in_that_rankings_order(
    a: list[str], b: list[str], k: int, seed: int
) -> None:
    merged = team_draft(a, b, k, seed)
    for team, ranking in ((0, a), (1, b)):
        ours = [d.item_id for d in merged if d.team == team]
        assert set(ours) <= set(ranking)
        assert ours == sorted(ours, key=ranking.index)
    assert {d.team for d in merged} <= {0, 1}


@given(RANKING, RANKING, K, SEED)
def test_team_counts_differ_by_at_most_one_at_every_prefix_while_both_have_items_left(
    a: list[str], b: list[str], k: int, seed: int
) -> None:
    merged = team_draft(a, b, k, seed)
    counts = [0, 0]
    for position, drafted in enumerate(merged):
        counts[drafted.team] += 1
        picked = {d.item_id for d in merged[: position + 1]}
        both_left = bool(set(a) - picked) and bool(set(b) - picked)
        if both_left:
            assert abs(counts[0] - counts[1]) <= 1


@given(RANKING, RANKING, K, SEED)
def test_a_team_passes_over_an_item_only_when_it_is_already_picked(
    a: list[str], b: list[str], k: int, seed: int
) -> None:
    merged = team_draft(a, b, k, seed)
    for position, drafted in enumerate(merged):
        ranking = a if drafted.team == 0 else b
        before = {d.item_id for d in merged[:position]}
        assert drafted.item_id == next(item for item in ranking if item not in before)


@given(RANKING, RANKING, K, SEED)
def test_the_same_seed_gives_the_same_list(a: list[str], b: list[str], k: int, seed: int) -> None:
    assert team_draft(a, b, k, seed) == team_draft(list(a), list(b), k, seed)


def test_over_many_seeds_each_team_picks_first_about_half_the_time() -> None:
    a, b = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    firsts = [team_draft(a, b, 4, seed)[0].team for seed in range(4_000)]
    share_a = firsts.count(0) / len(firsts)
    assert 0.47 < share_a < 0.53  # 4,000 fair coins: sd 0.8 points, the bounds are ~3.8 sd


def test_every_position_goes_to_either_team_about_equally_often() -> None:
    a, b = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    drafts = [team_draft(a, b, 4, seed) for seed in range(4_000)]
    for position in range(4):
        share_a = sum(draft[position].team == 0 for draft in drafts) / len(drafts)
        assert 0.46 < share_a < 0.54
