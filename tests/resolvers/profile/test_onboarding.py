"""resolvers.profile.onboarding: answers validated against the catalog taxonomy, free text mapped to catalog
skills with the real embedding model, provenance "learner" for each field set."""

from datetime import UTC, datetime

import pytest

from app.core.documents import Course, User
from app.core.documents.profiles import Provenance
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.profile.onboarding import OnboardingAnswers, submit_onboarding

pytestmark = pytest.mark.usefixtures("clean")
AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


async def _catalog() -> None:
    await Course.insert_many([
        Course(id="py", title="Python", skills=["Python", "Data Analysis"], topics=["Programming"]),
        Course(id="web", title="Web", skills=["HTML", "CSS"], topics=["Web Development"]),
        Course(id="acc", title="Books", skills=["Accounting"], topics=["Business"]),
        Course(id="hid", title="Hidden", skills=["Secret Skill"], published=False),
    ])


async def test_answers_are_stored_with_catalog_spelling_and_provenance() -> None:
    await _catalog()
    answers = OnboardingAnswers(goals=["python", "DATA analysis"], interests=["business"], weekly_minutes=120,
                                level="beginner", preferred_formats=["video", "project", "video"])
    user = await submit_onboarding("u1", answers, now=AT)
    assert user.goals == ["Python", "Data Analysis"]
    assert user.interests == ["Business"]
    assert (user.weekly_minutes_target, user.preferred_formats) == (120, ["video", "project"])
    assert (user.onboarding.self_assessed_level, user.onboarding.completed_at) == ("beginner", AT)
    learner = Provenance(source="learner", at=AT)
    assert user.provenance == {name: learner for name in (
        "goals", "interests", "preferred_formats", "weekly_minutes_target", "self_assessed_level")}
    assert await User.get("u1") == user


async def test_other_free_text_maps_to_catalog_skills_and_joins_interests() -> None:
    await _catalog()
    answers = OnboardingAnswers(interests=["Accounting"], other="I want to build websites")
    user = await submit_onboarding("u1", answers, now=AT)
    assert user.onboarding.other_skills
    assert set(user.onboarding.other_skills) <= {"Web Development", "HTML", "CSS"}
    assert user.interests == ["Accounting", *user.onboarding.other_skills]
    assert user.other_interests == "I want to build websites"
    assert user.provenance["other_interests"].source == "learner"


async def test_free_text_naming_nothing_of_the_catalog_adds_nothing() -> None:
    await _catalog()
    user = await submit_onboarding("u1", OnboardingAnswers(other="my cat likes football"), now=AT)
    assert user.onboarding.other_skills == []
    assert user.interests == []
    assert "interests" not in user.provenance


async def test_unknown_labels_are_refused_with_their_index_and_nothing_is_stored() -> None:
    await _catalog()
    answers = OnboardingAnswers(goals=["Python", "Knitting"], interests=["Secret Skill", "css", "Baking"])
    with pytest.raises(UseCaseError) as raised:
        await submit_onboarding("u1", answers)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert [(p.field, p.index) for p in raised.value.problems] == [("goals", 1), ("interests", 0), ("interests", 2)]
    assert await User.get("u1") is None


@pytest.mark.parametrize(("answers", "field"), [
    (OnboardingAnswers(weekly_minutes=-1), "weeklyMinutes"),
    (OnboardingAnswers(weekly_minutes=10_081), "weeklyMinutes"),
    (OnboardingAnswers(level="expert"), "level"),
    (OnboardingAnswers(preferred_formats=["video", "hologram"]), "preferredFormats"),
    (OnboardingAnswers(other="x" * 2_001), "other"),
    (OnboardingAnswers(goals=["Python"] * 101), "goals"),
])
async def test_out_of_range_answers_are_refused(answers: OnboardingAnswers, field: str) -> None:
    await _catalog()
    with pytest.raises(UseCaseError) as raised:
        await submit_onboarding("u1", answers)
    assert [p.field for p in raised.value.problems] == [field]


async def test_fields_left_out_keep_their_values() -> None:
    await _catalog()
    await User(id="u1", display_name="Ana", goals=["CSS"], weekly_minutes_target=60).insert()
    user = await submit_onboarding("u1", OnboardingAnswers(level="advanced"), now=AT)
    assert (user.display_name, user.goals, user.weekly_minutes_target) == ("Ana", ["CSS"], 60)
    assert user.onboarding.completed_at == AT
    assert set(user.provenance) == {"self_assessed_level"}


async def test_new_lists_replace_imported_items_and_their_provenance() -> None:
    await _catalog()
    github = Provenance(source="github", at=AT)
    await User(id="u1", interests=["Python", "HTML"],
               provenance={"interests:python": github, "interests:html": github, "job_title": github}).insert()
    user = await submit_onboarding("u1", OnboardingAnswers(interests=["HTML"]), now=AT)
    assert user.interests == ["HTML"]
    assert set(user.provenance) == {"interests", "job_title"}


async def test_onboarding_again_is_allowed() -> None:
    await _catalog()
    await submit_onboarding("u1", OnboardingAnswers(goals=["Python"]), now=AT)
    later = datetime(2026, 4, 1, tzinfo=UTC)
    user = await submit_onboarding("u1", OnboardingAnswers(goals=["CSS"]), now=later)
    assert (user.goals, user.onboarding.completed_at) == (["CSS"], later)
    assert user.provenance["goals"].at == later
