"""The content recommender's embedding cost: `Content.fit` on the 1,000-course Coursera catalog against the raw
model's encode of exactly the same texts. The target is a ratio (fit / raw) of at most 1.3.

Both sides run in the same process on the same loaded model (one warm-up encode first), alternating A/B
`--rounds` times so that a change in the machine's load does not favour one side: (A) the raw
`SentenceTransformer.encode` with the batch size and options `embeddings.encode` uses, (B) `Content.fit`
(item texts, chunked encode, FAISS index). Medians of each side and their ratio are printed.
Not a test: run it by hand, e.g. `.venv/bin/python bench/embed_catalog.py`.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.importers.course_files import CourseRow, read_course_file  # noqa: E402
from recommenders import embeddings  # noqa: E402
from recommenders.base import Item, TrainingData  # noqa: E402
from recommenders.content import Content, item_text  # noqa: E402

CATALOG = REPO.parent / "shared/data/courses/coursera_courses.csv"
BATCH_SIZE = 64  # what embeddings.encode uses


def _labels(value: object) -> tuple[str, ...]:
    return tuple(str(label) for label in value) if isinstance(value, list) else ()


def load_items(path: Path, limit: int) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for row in read_course_file(path):
        if not isinstance(row, CourseRow) or len(items) >= limit:
            continue
        fields = row.fields
        skills = _labels(fields.get("skills"))
        text = ". ".join(part for part in (fields.get("summary") or "", ", ".join(skills),
                                           fields.get("description") or "") if part)
        items[fields["id"]] = Item(fields["id"], title=fields.get("title") or "", text=text, skills=skills,
                                   topics=_labels(fields.get("topics")))
    return items


def time_raw(model: object, texts: list[str]) -> float:
    start = time.perf_counter()
    model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,  # type: ignore[attr-defined]
                 convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - start


def time_fit(data: TrainingData) -> float:
    start = time.perf_counter()
    Content().fit(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    items = load_items(CATALOG, args.courses)
    texts = [item_text(item) for item in items.values()]
    data = TrainingData(items=items, interactions=())
    model = embeddings._loaded_model()  # the very model Content.fit encodes with
    model.encode(texts[:64], batch_size=BATCH_SIZE, show_progress_bar=False)  # warm-up
    raw, fit = [], []
    for round_number in range(1, args.rounds + 1):
        raw.append(time_raw(model, texts))
        fit.append(time_fit(data))
        print(f"round {round_number}: raw encode {raw[-1]:.2f} s, Content.fit {fit[-1]:.2f} s")
    raw_median, fit_median = statistics.median(raw), statistics.median(fit)
    print(f"{len(texts)} courses, batch {BATCH_SIZE}: raw encode median {raw_median:.2f} s, "
          f"Content.fit median {fit_median:.2f} s, ratio {fit_median / raw_median:.3f} (target <= 1.3)")


if __name__ == "__main__":
    main()
