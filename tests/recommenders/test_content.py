from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommenders.base import Interaction, Item, Learner, RecommendationRequest, TrainingData
from recommenders.content import Content, ProfileVectors, item_text

ITEMS = {item.id: item for item in (
    Item("sql", "SQL for Data Analysis", "Query relational databases with SQL to analyse business data."),
    Item("pandas", "Data Analysis with Pandas", "Clean, explore and analyse tabular data in Python dataframes."),
    Item("py-intro", "Python Programming Basics", "Variables, loops and functions in the Python language."),
    Item("py-advanced", "Advanced Python", "Decorators, generators and object-oriented programming in Python."),
    Item("watercolor", "Watercolor Painting", "Brushes, pigments and landscape painting techniques."),
    Item("guitar", "Beginner Guitar", "Chords, strumming and your first songs on the acoustic guitar."),
    Item("baking", "Bread Baking", "Sourdough starters, kneading and baking crusty loaves."),
    Item("hidden", "SQL Databases Draft", "Unpublished SQL course.", published=False),
)}
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SQL_LEARNER = Learner("u1", profile_text="I want to analyse data with SQL", goals=("data analyst",))
PYTHON_LEARNER = Learner("u2", history=(Interaction("u2", "py-intro", 1.0, NOW - timedelta(days=1), "enroll"),))


@pytest.fixture(scope="module")
def content() -> Content:
    model = Content()
    model.fit(TrainingData(items=ITEMS, interactions=()))
    return model


def ids(model: Content, request: RecommendationRequest) -> list[str]:
    return [found.item_id for found in model.recommend(request)]


def test_item_text_falls_back_to_skills_and_topics() -> None:
    assert item_text(Item("x", "Title", skills=("SQL",), topics=("data",))) == "Title. SQL. data"
    assert item_text(Item("x", "Title", "Body")) == "Title. Body"


def test_profile_ranks_matching_items_first_with_goal_reason(content: Content) -> None:
    found = content.recommend(RecommendationRequest(SQL_LEARNER, k=3, now=NOW))
    assert found[0].item_id == "sql"
    assert {found[0].item_id, found[1].item_id} == {"sql", "pandas"}
    assert found[0].reasons[0].code == "MATCHES_GOAL"
    assert found[0].reasons[0].text == "Matches your goal data analyst"


def test_history_ranks_similar_item_with_similar_to_reason(content: Content) -> None:
    found = content.recommend(RecommendationRequest(PYTHON_LEARNER, k=2, exclude=frozenset({"py-intro"}), now=NOW))
    assert found[0].item_id == "py-advanced"
    assert found[0].reasons[0].code == "SIMILAR_TO"
    assert found[0].reasons[0].text == "Similar to Python Programming Basics, which you are taking"


def test_negative_and_unknown_history_is_ignored(content: Content) -> None:
    learner = Learner("u3", history=(Interaction("u3", "py-intro", -1.0), Interaction("u3", "nope", 1.0)))
    assert content.recommend(RecommendationRequest(learner)) == []


def test_exclude_allowed_and_k_are_respected(content: Content) -> None:
    request = RecommendationRequest(SQL_LEARNER, k=2, exclude=frozenset({"sql"}),
                                    allowed=frozenset({"sql", "baking", "guitar", "pandas"}))
    found = ids(content, request)
    assert len(found) == 2 and found[0] == "pandas"
    assert set(found) <= {"pandas", "baking", "guitar"}
    assert ids(content, RecommendationRequest(SQL_LEARNER, k=0)) == []


def test_unpublished_items_are_not_indexed(content: Content) -> None:
    assert "hidden" not in ids(content, RecommendationRequest(SQL_LEARNER, k=20))
    assert len(ids(content, RecommendationRequest(SQL_LEARNER, k=20))) == 7


def test_similar_excludes_the_item_itself(content: Content) -> None:
    found = content.similar("py-intro", 3)
    assert found[0].item_id == "py-advanced"
    assert "py-intro" not in [f.item_id for f in found] and len(found) == 3
    assert content.similar("unknown", 3) == []


def test_unknown_learner_without_profile_or_history_gets_nothing(content: Content) -> None:
    assert content.recommend(RecommendationRequest(Learner(), now=NOW)) == []


def test_hnsw_index_above_threshold() -> None:
    model = Content(hnsw_threshold=1)
    model.fit(TrainingData(items=ITEMS, interactions=()))
    assert "HNSW" in type(model.index).__name__
    assert ids(model, RecommendationRequest(SQL_LEARNER, k=1)) == ["sql"]
    assert [f.item_id for f in model.similar("py-intro", 1)] == ["py-advanced"]


def test_add_items_makes_new_item_recommendable() -> None:
    model = Content()
    model.fit(TrainingData(items=ITEMS, interactions=()))
    model.add_items([Item("postgres", "PostgreSQL Data Analysis with SQL", "Analyse data with SQL queries.")])
    assert "postgres" in ids(model, RecommendationRequest(SQL_LEARNER, k=2))
    model.add_items([Item("postgres", "Duplicate")])
    assert model.ids.count("postgres") == 1


def test_save_load_round_trip_gives_same_results(content: Content, tmp_path: Path) -> None:
    content.save(tmp_path)
    loaded = Content.load(tmp_path)
    for learner in (SQL_LEARNER, PYTHON_LEARNER):
        request = RecommendationRequest(learner, k=4, now=NOW)
        assert loaded.recommend(request) == content.recommend(request)
    assert loaded.similar("sql", 3) == content.similar("sql", 3)


def test_load_refuses_artifacts_of_another_model(content: Content, tmp_path: Path) -> None:
    content.save(tmp_path)
    meta = (tmp_path / "content.json").read_text(encoding="utf-8")
    (tmp_path / "content.json").write_text(meta.replace("all-MiniLM-L6-v2", "other-model"), encoding="utf-8")
    with pytest.raises(ValueError, match="pathwise train"):
        Content.load(tmp_path)


def test_profile_vectors_embed_later_in_the_background() -> None:
    vectors = ProfileVectors(4)
    text = "a learner who wants to paint landscapes"
    assert vectors.get_or_embed_later(text) is None  # queued, not waited for
    vectors._background.shutdown(wait=True)
    found = vectors.get_or_embed_later(text)
    assert found is not None and found.shape == (384,)


def test_serving_mode_answers_from_history_while_the_profile_is_embedded() -> None:
    model = Content()
    model.fit(TrainingData(items=ITEMS, interactions=()))
    model.embed_profiles_in_background()
    learner = Learner("u9", profile_text=f"brand new profile text {NOW.timestamp()} about watercolor painting",
                      history=PYTHON_LEARNER.history)
    first = model.recommend(RecommendationRequest(learner, k=2, exclude=frozenset({"py-intro"}), now=NOW))
    assert first[0].item_id == "py-advanced"  # history alone this time
    assert all(reason.code == "SIMILAR_TO" for rec in first for reason in rec.reasons)
    only_profile = Learner("u10", profile_text=f"another unseen profile {NOW.timestamp()}")
    assert model.recommend(RecommendationRequest(only_profile, k=2, now=NOW)) == []  # others answer meanwhile


def test_profile_vectors_wait_briefly_for_a_text_queued_when_the_profile_was_written() -> None:
    vectors = ProfileVectors(4)
    text = f"a learner who wants to bake sourdough {NOW.timestamp()}"
    done = vectors.embed_later(text)  # the profile write
    found = vectors.get_within(text, 30.0)  # the learner's next request
    assert done.is_set() and found is not None and found.shape == (384,)
    assert vectors.cached(text) is found


def test_declared_goals_and_interests_stand_for_a_profile_not_embedded_yet() -> None:
    model = Content()
    model.fit(TrainingData(items=ITEMS, interactions=()))
    model.embed_profiles_in_background(wait_s=0.0)
    assert model.prepare_labels(["Guitar", "Music", "Guitar"]) == 2
    learner = Learner("u11", interests={"Guitar": 1.0}, goals=("Music",),
                      profile_text=f"an unseen free text {NOW.timestamp()} about songs")
    assert not model.profile_ready(learner)
    found = model.recommend(RecommendationRequest(learner, k=2, now=NOW))
    assert found[0].item_id == "guitar"
    reason = found[0].reasons[0]
    assert reason.code == "MATCHES_GOAL" and ("Guitar" in reason.text or "Music" in reason.text)
