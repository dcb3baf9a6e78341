"""resolvers.recommendations.training: `pathwise train`'s use case, on the test store."""

from pathlib import Path

import pytest

from app.core.settings import Settings
from resolvers.courses.courses import upsert_courses
from resolvers.recommendations.training import train_recommenders

pytestmark = pytest.mark.usefixtures("clean")


async def test_training_names_each_step_with_its_counts(tmp_path: Path) -> None:
    courses = [{"id": f"t{n}", "title": f"Training course {n}", "summary": "About testing progress.",
                "skills": ["Testing"]} for n in range(3)]
    await upsert_courses(courses, 100)
    notes: list[tuple[str, str]] = []
    trained = await train_recommenders(Settings(data_dir=tmp_path), ["content", "popular"],
                                       lambda name, what: notes.append((name, what)))
    assert [result.name for result in trained] == ["content", "popular"]
    assert ("data", "read 3 courses, 0 signals of 0 learners") in notes
    assert ("content", "embedding courses 3/3") in notes  # not a silent "reading segments" while it embeds
    assert notes[-1] == ("popular", "published")
