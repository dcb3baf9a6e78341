"""A learner made ready for the recommenders: what they may know of the learner (`learners.learner_of`), the
courses never to show them, what readiness needs of their knowledge, and the courses labelled with what they
declared. Built from the learner's documents; kept by the serving states (`states`) while nothing of theirs
changes, with the candidate lists the recommenders already gave for it (`Prepared.outcomes`)."""

import asyncio
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.core.documents import Enrollment, Purpose, Rating, ReviewCard, User
from app.core.encryption.sealed_fields import find_opened
from app.core.timestamps import as_utc
from recommenders import readiness
from recommenders.base import Learner
from resolvers.courses.snapshot import CatalogSnapshot, CourseFilters
from resolvers.practice.knowledge import mastery_of
from resolvers.recommendations.learners import blocked_topic_keys, excluded_courses, learner_of
from resolvers.recommendations.service import Outcome, RecommendationService

Question = tuple[str, CourseFilters, int]  # recommender, filters, candidates asked


@dataclass(frozen=True)
class LearnerRecords:
    user: User | None
    enrollments: list[Enrollment]
    ratings: list[Rating]


@dataclass(frozen=True)
class Prepared:
    user: User | None
    learner: Learner
    exclude: frozenset[str]
    knowledge: readiness.Knowledge | None
    declared: frozenset[str]  # the goals and interests the learner declared, casefolded (when personalized)
    declared_courses: frozenset[str]  # the catalog's courses labelled with one of them
    reviews: tuple[tuple[datetime, tuple[str, ...]], ...] = ()  # the learner's practice items: (due, skills)
    outcomes: dict[Question, Outcome] = field(default_factory=dict, compare=False)  # what recommenders gave

    def knowledge_at(self, now: datetime) -> readiness.Knowledge | None:
        """`knowledge` with the skills due for review at `now` (items fall due while the state is kept)."""
        if self.knowledge is None or not self.reviews:
            return self.knowledge
        due = frozenset(skill for at, skills in self.reviews if at <= now for skill in skills)
        return self.knowledge if due == self.knowledge.due else replace(self.knowledge, due=due)


async def read_records(user_id: str) -> LearnerRecords:
    """The learner's documents, read afresh (no request's DataLoaders): for work outside requests."""
    users, enrollments, ratings = await asyncio.gather(
        find_opened(User, {"_id": user_id}), Enrollment.find({"user_id": user_id}).to_list(),
        find_opened(Rating, {"user_id": user_id}))
    return LearnerRecords(users[0] if users else None, enrollments, ratings)


async def prepare(service: RecommendationService, records: LearnerRecords, now: datetime, half_life_days: float,
                  defaults: set[Purpose]) -> Prepared:
    """The learner as the recommenders and the re-ranking see them now."""
    catalog = service.catalog
    learner = learner_of(records.user, records.enrollments, records.ratings, now, half_life_days, defaults)
    exclude = excluded_courses(records.user, records.enrollments) | _known_courses(catalog, records.user)
    exclude |= catalog.with_topics(blocked_topic_keys(records.user))
    knowledge, reviews = await _knowledge(service, records.user, learner.personalization_enabled, now)
    declared = _declared(records.user) if learner.personalization_enabled else frozenset()
    return Prepared(records.user, learner, frozenset(exclude), knowledge, declared, _labelled(catalog, declared),
                    reviews)


def _declared(user: User | None) -> frozenset[str]:
    """The goals and interests the learner stated (casefolded): explicit preferences."""
    return frozenset(label.casefold() for label in (*user.goals, *user.interests)) if user is not None else frozenset()


def _labelled(catalog: CatalogSnapshot, declared: frozenset[str]) -> frozenset[str]:
    """The catalog's courses with a skill or topic among `declared` (casefolded labels)."""
    if not declared:
        return frozenset()
    return frozenset(course for course, labels in catalog.folded_labels.items() if not labels.isdisjoint(declared))


def _known_courses(catalog: CatalogSnapshot, user: User | None) -> set[str]:
    """Courses the learner said they already know or found too easy."""
    if user is None:
        return set()
    said = user.preferences.difficulty_feedback
    known = {key for key, kind in said.items() if kind in ("already_know", "too_easy")}
    return {catalog.course_by_key[key] for key in known if key in catalog.course_by_key}


async def _knowledge(service: RecommendationService, user: User | None, personal: bool, now: datetime
                     ) -> tuple[readiness.Knowledge | None, tuple[tuple[datetime, tuple[str, ...]], ...]]:
    """What readiness needs of the learner (None without a skill graph or personal data to use), and their
    practice items' due times and skills."""
    catalog = service.catalog
    if user is None or not personal or not catalog.skills:
        return None, ()
    estimates = await mastery_of(user.id, None, now, service.settings, service.knowledge)
    mastery = {estimate.skill_id: readiness.Known(estimate.probability, estimate.confidence)
               for estimate in estimates if estimate.source != "prior"}
    goals = catalog.skill_ids(user.goals)
    if not mastery and not goals:
        return None, ()
    reviews = await _reviews(user.id) if mastery else ()
    knowledge = readiness.Knowledge(catalog.course_skills, catalog.prerequisites, catalog.skill_names, mastery, goals,
                                    frozenset(), service.settings.mastery_threshold)
    due = frozenset(skill for at, skills in reviews if at <= now for skill in skills)
    return replace(knowledge, due=due), reviews


async def _reviews(user_id: str) -> tuple[tuple[datetime, tuple[str, ...]], ...]:
    """The learner's practice items with skills: (due, skills), soonest first. Compared in Python: the embedded
    store compares dates to the second (tests/store/test_dates.py)."""
    cards = ReviewCard.get_pymongo_collection().find({"user_id": user_id}, {"skills": 1, "due": 1})
    found = [(as_utc(card["due"]), tuple(card.get("skills", []))) for card in await cards.to_list()
             if card.get("due") is not None and card.get("skills")]
    return tuple(sorted(found, key=lambda review: review[0]))
