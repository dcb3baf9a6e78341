"""resolvers.recommendations.recommend (with training and the service), in-process on the test store; its
helpers (`seed`, `started`) serve the tests of the service's pieces too."""

from datetime import timedelta
from pathlib import Path

import pytest

from app.core.documents import Enrollment, EnrollmentStatus, Purpose, User
from app.core.documents.profiles import Preferences
from app.core.settings import Settings
from app.core.timestamps import utcnow
from recommenders.content import Content
from resolvers.courses.courses import upsert_courses
from resolvers.courses.enrollments import enroll
from resolvers.courses.snapshot import CourseFilters
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.recommendations.recommend import (
    Ask,
    Basis,
    LearnerRecords,
    RecommendationList,
    RequestContext,
    cached_recommendations,
    keep_rendering,
    recommend_courses,
    replayed,
    similar_courses,
)
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders

pytestmark = pytest.mark.usefixtures("clean")

COURSES = [
    {"id": "py1", "title": "Python Basics", "summary": "Variables, loops and functions in Python.",
     "skills": ["Python"], "topics": ["Programming"], "level": "beginner", "duration_minutes": 600},
    {"id": "py2", "title": "Intermediate Python", "summary": "Classes, modules and testing in Python.",
     "skills": ["Python"], "topics": ["Programming"], "level": "intermediate", "duration_minutes": 900,
     "prerequisites": ["py1"]},
    {"id": "sql", "title": "SQL for Analysts", "summary": "Query relational databases with SQL.",
     "skills": ["SQL"], "topics": ["Data"], "level": "beginner", "duration_minutes": 300},
    {"id": "viz", "title": "Data Visualization", "summary": "Charts that tell a story with data.",
     "skills": ["Data Visualization"], "topics": ["Data"], "level": "beginner", "duration_minutes": 8},
    {"id": "ml", "title": "Machine Learning", "summary": "Supervised learning with Python and scikit-learn.",
     "skills": ["Machine Learning", "Python"], "topics": ["Data"], "level": "advanced", "duration_minutes": 1200},
    {"id": "cook", "title": "Cooking Basics", "summary": "Knife skills and simple recipes.",
     "skills": ["Cooking"], "topics": ["Food"], "level": "beginner", "duration_minutes": 60},
    {"id": "hidden", "title": "Unpublished Python", "summary": "Not out yet.", "skills": ["Python"],
     "published": False},
]
DEFAULTS = {Purpose.ESSENTIAL, Purpose.PERSONALIZATION}


def settings_in(tmp_path: Path, **changes: object) -> Settings:
    return Settings(data_dir=tmp_path, **changes)  # type: ignore[arg-type]


async def seed() -> None:
    await upsert_courses(COURSES, 100)
    now = utcnow()
    for learner in range(12):
        user = f"u{learner}"
        await User(id=user, interests=["Python"]).insert()
        await Enrollment(id=Enrollment.key(user, "py1"), user_id=user, course_id="py1",
                         status=EnrollmentStatus.COMPLETED, completed_at=now - timedelta(days=3)).insert()
        if learner < 8:
            await Enrollment(id=Enrollment.key(user, "py2"), user_id=user, course_id="py2").insert()
        if learner < 4:
            await Enrollment(id=Enrollment.key(user, "sql"), user_id=user, course_id="sql").insert()


async def started(settings: Settings) -> RecommendationService:
    service = RecommendationService(settings)
    await service.start(poll=False)
    return service


async def ask(service: RecommendationService, user: User | None, enrollments: list[Enrollment],
              ask: Ask) -> list[str]:
    found = await recommend_courses(service, LearnerRecords(user, enrollments, []), ask, utcnow(), 30.0, DEFAULTS)
    return [item.course.id for item in found.items]


async def test_before_training_popularity_from_the_catalog_answers_with_fallback(tmp_path: Path) -> None:
    await seed()
    service = await started(settings_in(tmp_path))
    try:
        found = await recommend_courses(service, LearnerRecords(None, [], []), Ask(), utcnow(), 30.0, DEFAULTS)
        assert found.fallback is True and found.strategy == "popular"
        ids = [item.course.id for item in found.items]
        assert ids and "hidden" not in ids
        assert {s.info.name: s.status for s in service.statuses()}["cf"] == "NOT_TRAINED"
    finally:
        await service.stop()


async def test_training_publishes_artifacts_and_the_service_serves_them(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    results = await train_recommenders(settings)
    assert {r.name for r in results} == set(settings.recommenders)
    assert all(r.manifest is not None for r in results if r.name != "hybrid")
    service = await started(settings)
    try:
        statuses = {s.info.name: s.status for s in service.statuses()}
        assert statuses["cf"] == "READY" and statuses["hybrid"] == "COMPOSED"
        learner = User(id="new", interests=["Python"])
        enrolled = [Enrollment(id="new:py1", user_id="new", course_id="py1", status=EnrollmentStatus.COMPLETED,
                               completed_at=utcnow())]
        found = await recommend_courses(service, LearnerRecords(learner, enrolled, []), Ask(first=3), utcnow(),
                                        30.0, DEFAULTS)
        ids = [item.course.id for item in found.items]
        assert found.fallback is False and found.strategy == "hybrid"
        assert ids[0] == "py2"  # the next step after the completed course, and what similar learners took
        assert "py1" not in ids and "hidden" not in ids
        assert all(item.reasons for item in found.items)
    finally:
        await service.stop()


async def test_exclusions_filters_and_context(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        user = User(id="x", interests=["Python", "Data"],
                    preferences=Preferences(not_interested_courses=["ml"], not_interested_topics=["Food"],
                                            dismissed_courses=["sql"]))
        ids = await ask(service, user, [], Ask(first=10))
        assert not {"ml", "cook", "sql", "hidden"} & set(ids)
        only_sql = await ask(service, None, [], Ask(first=10, filters=CourseFilters(skills=("sql",))))
        assert only_sql == ["sql"]
        short = await ask(service, None, [], Ask(first=10, filters=CourseFilters(max_minutes=300)))
        assert set(short) <= {"sql", "viz", "cook"} and short
        phone = await ask(service, User(id="p", interests=["Data"]), [],
                          Ask(first=3, context=RequestContext("mobile", 10)))
        assert phone[0] == "viz"  # the only course that fits 10 free minutes
    finally:
        await service.stop()


async def test_personalization_switch_off_gets_popular_only(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        user = User(id="off", interests=["Cooking"], personalization_enabled=False)
        found = await recommend_courses(service, LearnerRecords(user, [], []), Ask(first=5), utcnow(), 30.0,
                                        DEFAULTS)
        assert [item.source for item in found.items] == ["popular"] * len(found.items)
        assert found.items[0].course.id == "py1"
    finally:
        await service.stop()


async def test_unknown_strategy_lists_the_installed_names(tmp_path: Path) -> None:
    service = await started(settings_in(tmp_path))
    try:
        with pytest.raises(UseCaseError) as raised:
            await recommend_courses(service, LearnerRecords(None, [], []), Ask(strategy="magic"), utcnow(), 30.0,
                                    DEFAULTS)
        assert raised.value.code is ErrorCode.BAD_USER_INPUT
        assert "auto, hybrid, content, cf, sequence, popular" in str(raised.value)
    finally:
        await service.stop()


async def test_similar_courses_of_an_unknown_course_is_not_found(tmp_path: Path) -> None:
    service = await started(settings_in(tmp_path))
    try:
        with pytest.raises(UseCaseError) as raised:
            similar_courses(service, "nope", 3, None)
        assert raised.value.code is ErrorCode.NOT_FOUND
    finally:
        await service.stop()


async def test_readiness_uses_mastery_goals_and_difficulty_feedback(tmp_path: Path) -> None:
    from app.core.documents import KnowledgeState, Skill, SkillMastery
    from app.core.documents.profiles import field_key

    await seed()
    await Skill(id="python", name="Python").insert()
    await Skill(id="ml", name="Machine Learning", prerequisites=["python"]).insert()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    try:
        weak = SkillMastery(probability=0.2, confidence=0.9, attempts=10, correct=2, practiced_at=utcnow())
        await KnowledgeState(id="k", user_id="k", skills={field_key("python"): weak},
                             skill_ids={field_key("python"): "python"}).insert()
        user = User(id="k", goals=["Machine Learning"],
                    preferences=Preferences(difficulty_feedback={field_key("sql"): "already_know"}))
        found = await recommend_courses(service, LearnerRecords(user, [], []), Ask(strategy="popular", first=10),
                                        utcnow(), 30.0, DEFAULTS)
        ids = [item.course.id for item in found.items]
        assert "sql" not in ids  # "already know this"
        # Python is weak and on the way to the goal: its course comes first, before the goal's own course
        assert ids[0] == "py1" and ids.index("ml") > ids.index("py1")
        assert found.items[0].reasons[0].code == "CLOSES_GAP"
        assert found.items[0].reasons[0].text == "Builds Python toward your goal Machine Learning"
    finally:
        await service.stop()


async def cached(service: RecommendationService, user: User, reads: list[str], ask: Ask = Ask(first=3)) -> RecommendationList:
    async def records() -> LearnerRecords:
        reads.append(user.id)
        stored = await User.get(user.id)
        enrollments = await Enrollment.find({"user_id": user.id}).to_list()
        return LearnerRecords(stored, enrollments, [])

    return await cached_recommendations(service, user.id, ask, records, utcnow(), 30.0, DEFAULTS)


async def test_a_learners_list_is_served_again_until_they_change(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path, recommendation_budget_ms=10_000)  # the profile is surely embedded in time
    await train_recommenders(settings)
    service = await started(settings)
    try:
        learner, reads = User(id="new", interests=["Python"]), []
        await learner.insert()
        first = await cached(service, learner, reads)
        again = await cached(service, learner, reads)
        assert reads == ["new"] and not first.fallback
        assert again.items == first.items and again.request_id != first.request_id
        misses = service.cache.misses
        other = await cached(service, learner, reads, Ask(first=2))  # another question: computed, from the kept state
        assert service.cache.misses == misses + 1 and reads == ["new"]
        assert [item.course.id for item in other.items] == [item.course.id for item in first.items][:2]
        top = first.items[0].course.id
        await enroll("new", top)  # the learner acts: their next request is computed afresh, from a fresh read
        after = await cached(service, learner, reads)
        assert len(reads) == 2 and top not in [item.course.id for item in after.items]
        await service.refresher.refresh_catalog()  # a catalog change (or a new artifact) drops every list and state
        await cached(service, learner, reads)
        assert len(reads) == 3
    finally:
        await service.stop()


async def test_a_rendering_kept_with_a_cached_list_is_given_back_until_the_list_goes(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path, recommendation_budget_ms=10_000)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        learner, reads = User(id="new", interests=["Python"]), []
        await learner.insert()

        async def replay(ask: Ask = Ask(first=3)) -> tuple[RecommendationList, object] | None:
            async def records() -> LearnerRecords:
                return LearnerRecords(await User.get("new"), [], [])
            return await replayed(service, "new", ask, "document", records, utcnow(), 30.0, DEFAULTS)

        first = await cached(service, learner, reads)
        assert first.kept is not None and await replay() is None  # nothing rendered yet: a miss for the caller
        keep_rendering(service, "new", first, "document", {"made": "of first"})
        served = service.tallies.pending
        again = await replay()
        assert again is not None and again[1] == {"made": "of first"}
        assert again[0].items == first.items and again[0].request_id != first.request_id
        assert service.tallies.pending == served + 1  # counted as a cached answer is
        assert await replay(Ask(first=2)) is None  # another question: not this rendering
        hits = service.cache.hits
        repeat = await cached(service, learner, reads)  # a hit keeps naming the entry: a rendering of it is kept too
        assert service.cache.hits == hits + 1 and repeat.kept is not None and repeat.kept.serial == first.kept.serial
        await enroll("new", first.items[0].course.id)  # the learner changes: the list and its renderings go
        assert await replay() is None
        after = await cached(service, learner, reads)
        keep_rendering(service, "new", first, "document", {"made": "of first"})  # made of a list no longer kept
        assert await replay() is None and after.kept is not None
    finally:
        await service.stop()


async def test_fallback_answers_and_bad_questions_are_not_cached(tmp_path: Path) -> None:
    await seed()
    service = await started(settings_in(tmp_path))  # nothing trained: popular from the catalog answers
    try:
        learner, reads = User(id="new"), []
        for _ in range(2):
            assert (await cached(service, learner, reads)).fallback
        assert service.cache.misses == 2 and len(service.cache) == 0  # computed twice: the learner's state was kept
        assert reads == ["new"]
        with pytest.raises(UseCaseError) as error:
            await cached(service, learner, reads, Ask(strategy="nope"))
        assert error.value.code is ErrorCode.BAD_USER_INPUT and len(reads) == 1
    finally:
        await service.stop()


async def test_an_answer_made_before_the_profile_text_is_embedded_is_not_cached(tmp_path: Path) -> None:
    from recommenders.content import PROFILE_VECTORS

    await seed()
    settings = settings_in(tmp_path, recommendation_budget_ms=10_000)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        content = service.model("content")
        assert isinstance(content, Content)
        content.embed_profiles_in_background(wait_s=0.0)  # a request that cannot wait for the embedding
        goal = f"Become a {utcnow().timestamp()} analyst"
        learner, reads = User(id="fresh", goals=[goal], interests=["SQL"]), []
        await learner.insert()
        first = await cached(service, learner, reads)
        assert first.provisional and reads == ["fresh"]
        assert PROFILE_VECTORS.get_within(f"{goal}. SQL", 60) is not None  # queued by the first request
        second = await cached(service, learner, reads)
        third = await cached(service, learner, reads)
        assert not second.provisional and reads == ["fresh"] and third.items == second.items  # the state was kept
    finally:
        await service.stop()


@pytest.mark.parametrize(("fields", "defaults", "basis"), [
    ({"interests": ["Python"]}, {Purpose.ESSENTIAL}, Basis.NOT_CONSENTED),
    ({"interests": ["Python"], "personalization_enabled": False}, DEFAULTS, Basis.SWITCHED_OFF),
    ({}, DEFAULTS, Basis.NOTHING_KNOWN_YET),
])
async def test_a_list_not_made_from_the_learners_data_says_why_and_names_popular(
        tmp_path: Path, fields: dict[str, object], defaults: set[Purpose], basis: Basis) -> None:
    user = User(id="someone", **fields)  # type: ignore[arg-type]
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        found = await recommend_courses(service, LearnerRecords(user, [], []), Ask(first=3), utcnow(), 30.0, defaults)
        assert found.basis is basis and found.strategy == "popular" and not found.fallback
        assert {item.source for item in found.items} == {"popular"}
    finally:
        await service.stop()
