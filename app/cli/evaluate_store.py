"""`pathwise evaluate --dataset store`: the recommenders the deployment enables (plugins included) scored on the
platform's own stored interactions, read exactly as `pathwise train` reads them (resolvers.recommendations)."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from statistics import median_low
from typing import Any

from pymongo import uri_parser
from pymongo.errors import ConnectionFailure, PyMongoError

from app.cli.common import err, open_store, out
from app.cli.evaluate_output import fail, run_recommenders
from app.core.settings import Settings
from app.core.store.db import init_database, make_client
from app.core.timestamps import utcnow
from plugins.registry import PluginError, get_registry
from recommenders.base import Recommender, TrainingData
from recommenders.evaluation import runner
from recommenders.evaluation.protocols import MIN_ITEMS_PER_USER, TEMPORAL, Split, pairs_of, split
from resolvers.purposes import default_purposes
from resolvers.recommendations.training import to_train
from resolvers.recommendations.training_data import training_data

STORE = "store"
MIN_LEARNERS = 2  # learners with MIN_ITEMS_PER_USER courses or more: fewer leave nothing to compare


def evaluate_store(settings: Settings, names: Sequence[str], protocol: str, k: int) -> tuple[runner.Report,
                                                                                             dict[str, Any]]:
    """Score the named recommenders (any installed), or every enabled one, on a split of the stored data; the
    report, and what was read (printed too)."""
    classes = _selected(settings, names)
    data = _read(settings)
    _check_enough(data)
    if protocol == TEMPORAL:
        _check_times(data)
    parts = split(data, protocol)
    summary = _summary(settings, data, parts, protocol)
    out.print(_described(summary), soft_wrap=True)
    return run_recommenders([cls() for cls in classes], parts, k, STORE, protocol), {"store": summary}


def _selected(settings: Settings, names: Sequence[str]) -> list[type[Recommender]]:
    """What `pathwise train` would fit: the named ones, or `PATHWISE_RECOMMENDERS` resolved by the registry."""
    try:
        return to_train(settings, names, get_registry())
    except PluginError as error:
        fail(str(error))


def _read(settings: Settings) -> TrainingData:
    """The catalog, the interactions and the segments, as training reads them."""
    with open_store(settings, "pathwise evaluate") as uri, err.status("reading the store…"):
        try:
            return asyncio.run(_read_from(uri, settings))
        except ConnectionFailure as error:
            hosts = ", ".join(f"{host}:{port}" for host, port in uri_parser.parse_uri(uri)["nodelist"])
            fail(f"cannot reach the store at {hosts} ({type(error).__name__}): is the database running, and "
                 "PATHWISE_MONGODB_URI right? (unset, the embedded store under --data-dir is used)")
        except PyMongoError as error:
            fail(f"the store failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}")


async def _read_from(uri: str, settings: Settings) -> TrainingData:
    client: Any = make_client(uri)
    try:
        await init_database(client, settings.database)
        return await training_data(utcnow(), settings.interest_half_life_days,
                                   default_purposes(settings.default_consents))
    finally:
        await client.close()


def _check_enough(data: TrainingData) -> None:
    courses = Counter(user for user, _ in {(i.user_id, i.item_id) for i in data.interactions})
    enough = sum(1 for count in courses.values() if count >= MIN_ITEMS_PER_USER)
    if enough < MIN_LEARNERS:
        fail(f"too few interactions to evaluate: the store holds {len(data.interactions)} interactions of "
             f"{len(courses)} learners, {enough} of them with {MIN_ITEMS_PER_USER} or more courses; a split needs "
             f"at least {MIN_LEARNERS} learners with {MIN_ITEMS_PER_USER} or more courses each")


def _check_times(data: TrainingData) -> None:
    untimed = Counter(i.kind or "signal" for i in data.interactions if i.at is None)
    if untimed:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(untimed.items()))
        fail(f"the temporal protocol needs a time on every interaction: {untimed.total()} of "
             f"{len(data.interactions)} stored interactions have none ({kinds}); use --protocol random-80-20 "
             "or stratified-75-25")


def _summary(settings: Settings, data: TrainingData, parts: Split, protocol: str) -> dict[str, Any]:
    """What was read and how it was split, for the line above the table and the JSON."""
    return {
        "database": settings.database,
        "learners": len({i.user_id for i in data.interactions}),
        "courses": len(data.items),
        "courses_with_interactions": len({i.item_id for i in data.interactions}),
        "interactions": len(data.interactions),
        "kinds": dict(sorted(Counter(i.kind or "signal" for i in data.interactions).items())),
        "held_out": sum(len(items) for items in parts.test.values()),
        "test_learners": len(parts.test),
        "cuts": _cuts(sorted(parts.cuts.values())),
        "tied_at_cut": _tied_at_cut(parts),
        "protocol": protocol,
    }


def _cuts(cuts: list[datetime]) -> dict[str, str] | None:
    """The earliest, median and latest cut of a temporal split (None for other protocols)."""
    if not cuts:
        return None
    return {name: moment.isoformat(timespec="seconds")
            for name, moment in (("first", cuts[0]), ("median", median_low(cuts)), ("last", cuts[-1]))}


def _tied_at_cut(parts: Split) -> int:
    """Learners with a train course first seen at the very time of their cut: their order there is by course id,
    not time (data loaded at one moment, as the demo's is)."""
    latest: dict[str, datetime] = {}
    for pair in pairs_of(parts.train.interactions):
        if pair.first_at is not None:
            latest[pair.user_id] = max(pair.first_at, latest.get(pair.user_id, pair.first_at))
    return sum(1 for user, cut in parts.cuts.items() if latest.get(user) == cut)


def _described(summary: dict[str, Any]) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in summary["kinds"].items())
    read = (f"read from the store (database {summary['database']}): {summary['learners']} learners, "
            f"{summary['courses']} courses ({summary['courses_with_interactions']} with interactions), "
            f"{summary['interactions']} interactions ({kinds})")
    held = f"held out {summary['held_out']} courses of {summary['test_learners']} learners"
    cuts = summary["cuts"]
    if cuts is None:
        return f"{read}\n{summary['protocol']} split: {held}"
    tied = summary["tied_at_cut"]
    note = f"; {tied} of them have train courses of the same time, ordered by course id" if tied else ""
    return (f"{read}\n{summary['protocol']} split: {held}, each learner's latest 20% of courses; "
            f"cut dates {cuts['first']} to {cuts['last']} (median {cuts['median']}){note}")
