"""Learning analytics queries (partners and admins): course funnels, skill struggles, recommender popularity."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.timestamps import utcnow
from resolvers.analytics import funnels, popularity, struggles
from resolvers.analytics.limits import MAX_DAYS, MAX_FIRST, MAX_ITEMS
from schema.analytics.types import CourseFunnel, RecommenderPopularity, SkillStruggle
from schema.arguments import CourseIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsPartner

SinceArg = Annotated[datetime | None, strawberry.argument(
    description="Only what happened at or after this time; null for everything.")]
FirstArg = Annotated[int, strawberry.argument(description=f"How many rows, 1–{MAX_FIRST}.")]
WHO = ("Partners and admins; learners get FORBIDDEN. Counts only learners who grant the ANALYTICS purpose now; a "
       "number over fewer learners than the minimum group is null and its row `suppressed`.")


@strawberry.type(description="Learning analytics queries (partners and admins).")
class Query:
    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"A course's funnel: viewed → enrolled → 25/50/75% progress → completed. {WHO} With `since`, the learners "
        "who viewed or enrolled at or after it, each with their enrolment whenever it started. NOT_FOUND when the "
        "catalog has no such course."))
    async def course_funnel(self, info: Info, course_id: CourseIdArg, since: SinceArg = None) -> CourseFunnel:
        return CourseFunnel.of(await funnels.course_funnel(str(course_id), since, info.context.settings))

    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"The funnels of the catalog courses with the most learners (viewed or enrolled), most first. {WHO} Courses "
        f"with fewer learners than the minimum group are left out. `first` is 1–{MAX_FIRST} (else BAD_USER_INPUT)."))
    async def course_funnels(self, info: Info, first: FirstArg = 20, since: SinceArg = None) -> list[CourseFunnel]:
        found = await funnels.course_funnels(first, since, info.context.settings)
        return [CourseFunnel.of(funnel) for funnel in found]

    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"The skills where learners struggle most: lowest mean mastery first (skills without one after), then "
        f"highest failure rate; suppressed skills last. {WHO} An answer without a skill counts for its exercise's "
        f"skills. `first` is 1–{MAX_FIRST}, `items` 1–{MAX_ITEMS} (else BAD_USER_INPUT)."))
    async def skill_struggles(
        self, info: Info, first: FirstArg = 20, since: SinceArg = None,
        items: Annotated[int, strawberry.argument(
            description=f"How many of each skill's items failed most, 1–{MAX_ITEMS}.")] = 5,
    ) -> list[SkillStruggle]:
        rows = await struggles.skill_struggles(first, items, since, info.context.settings)
        return [SkillStruggle.of(row) for row in rows]

    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        "What each recommender (strategy) served most over the last `days` UTC days (today included), most "
        "servings first: answers, top courses with their share, catalog coverage, Gini coefficient and popularity "
        f"lift. Partners and admins; learners get FORBIDDEN. `days` is 1–{MAX_DAYS}, `first` 1–{MAX_FIRST} (else "
        "BAD_USER_INPUT)."))
    async def recommender_popularity(
        self, info: Info,
        days: Annotated[int, strawberry.argument(description=f"The window in UTC days, 1–{MAX_DAYS}.")] = 28,
        first: Annotated[int, strawberry.argument(
            description=f"How many top courses per recommender, 1–{MAX_FIRST}.")] = 10,
    ) -> list[RecommenderPopularity]:
        rows = await popularity.recommender_popularity(days, first, utcnow())
        return [RecommenderPopularity.of(row) for row in rows]
