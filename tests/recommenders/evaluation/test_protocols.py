from datetime import UTC, datetime, timedelta

import pytest

from recommenders.base import Interaction, Item, TrainingData
from recommenders.evaluation.protocols import split


def _data(timed: bool = True) -> TrainingData:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    interactions = [Interaction(f"u{u}", f"i{i}", 1.0, start + timedelta(days=i) if timed else None)
                    for u in range(10) for i in range(u + 2)]  # distinct (user, item) pairs
    return TrainingData({f"i{i}": Item(f"i{i}") for i in range(12)}, interactions)


def _pairs(interactions: object) -> set[tuple[str, str]]:
    return {(i.user_id, i.item_id) for i in interactions}  # type: ignore[attr-defined]


def _test_pairs(test: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(user, item) for user, items in test.items() for item in items}


@pytest.mark.parametrize("protocol", ["random-80-20", "stratified-75-25", "temporal"])
def test_no_leakage_and_nothing_lost(protocol: str) -> None:
    data = _data()
    parts = split(data, protocol)
    train, test = _pairs(parts.train.interactions), _test_pairs(parts.test)
    assert not train & test
    assert train | test == _pairs(data.interactions)
    assert parts.train.items == data.items


def test_random_80_20_sizes_and_determinism() -> None:
    data = _data()
    parts = split(data, "random-80-20", seed=1)
    assert len(parts.train.interactions) == round(len(data.interactions) * 0.8)
    assert split(data, "random-80-20", seed=1) == parts
    assert split(data, "random-80-20", seed=2).test != parts.test


def test_stratified_holds_out_a_quarter_of_each_user() -> None:
    parts = split(_data(), "stratified-75-25")
    for user in range(10):
        size = user + 2
        assert len(parts.test.get(f"u{user}", set())) == size - round(size * 0.75)


def test_temporal_holds_out_each_users_latest() -> None:
    parts = split(_data(), "temporal")
    assert parts.test["u9"] == {"i9", "i10"}  # 11 items: the last 20% by time


def test_temporal_needs_timestamps_and_unknown_protocol_is_refused() -> None:
    with pytest.raises(ValueError, match="timestamp"):
        split(_data(timed=False), "temporal")
    with pytest.raises(ValueError, match="unknown protocol"):
        split(_data(), "leave-one-out")


def test_every_signal_of_a_pair_goes_to_one_side_and_temporal_orders_by_the_first() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    signals = [Interaction("u", f"i{i}", 1.0, start + timedelta(days=i), "course_view") for i in range(5)]
    # i0 is completed last of all: its first signal still places it first, so it stays in train
    signals += [Interaction("u", "i0", 2.0, start + timedelta(days=9), "complete"),
                Interaction("u", "i4", 1.0, start + timedelta(days=8), "enroll")]
    parts = split(TrainingData({}, signals), "temporal")
    assert parts.test == {"u": {"i4"}}
    assert sorted((i.item_id, i.kind) for i in parts.train.interactions if i.item_id == "i0") == [
        ("i0", "complete"), ("i0", "course_view")]
    assert all(i.item_id != "i4" for i in parts.train.interactions)
    assert parts.cuts == {"u": start + timedelta(days=4)}  # the first time the held-out item was seen


def test_only_the_temporal_split_has_cuts() -> None:
    assert split(_data(), "stratified-75-25").cuts == {}
    cuts = split(_data(), "temporal").cuts
    assert cuts["u9"] == datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=9)
