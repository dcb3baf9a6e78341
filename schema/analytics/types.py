"""GraphQL types of learning analytics: course funnels, skill struggles and what each recommender serves. All are
value objects (no id): computed on each read from aggregates, never one learner's data."""

from datetime import datetime

import strawberry

from resolvers.analytics import funnels, popularity, struggles
from schema.enums import described_enum

SUPPRESSED = "True when fewer learners than the minimum group (`PATHWISE_ANALYTICS_MIN_GROUP`, 5 by default) are " \
    "behind it: its numbers are then null."

FunnelStageType = described_enum(funnels.FunnelStage, "FunnelStage", "A stage of a course funnel, in order.", {
    "VIEWED": "Viewed the course (`course_view`, or `recommendation_click` on it) or enrolled in it.",
    "ENROLLED": "Enrolled in the course.",
    "PROGRESS_25": "Reached 25% progress (or completed).",
    "PROGRESS_50": "Reached 50% progress (or completed).",
    "PROGRESS_75": "Reached 75% progress (or completed).",
    "COMPLETED": "Completed the course (`completedAt` set or status completed).",
})


@strawberry.type(description="One stage of a course funnel: the learners who reached at least this stage. A value "
                 "object (no id): part of its CourseFunnel.")
class FunnelStageResult:
    stage: FunnelStageType = strawberry.field(description="The stage.")  # type: ignore[valid-type]
    suppressed: bool = strawberry.field(description=SUPPRESSED)
    learners: int | None = strawberry.field(description="Learners who reached at least this stage.")
    share_of_previous: float | None = strawberry.field(
        description="learners / the previous stage's learners (1 for VIEWED); null when suppressed.")
    share_of_first: float | None = strawberry.field(description="learners / the VIEWED stage's learners.")
    drop_off: int | None = strawberry.field(
        description="The previous stage's learners who did not reach this one; null for VIEWED or when suppressed.")

    @staticmethod
    def of(stage: funnels.StageResult) -> "FunnelStageResult":
        return FunnelStageResult(stage=stage.stage, suppressed=stage.suppressed, learners=stage.learners,
                                 share_of_previous=stage.share_of_previous, share_of_first=stage.share_of_first,
                                 drop_off=stage.drop_off)


@strawberry.type(description="Where learners drop off in a course: viewed → enrolled → 25% → 50% → 75% → completed. "
                 "Each stage counts the learners who reached at least it, so a learner enrolled without a recorded "
                 "view counts as having viewed. Only learners who grant the ANALYTICS purpose now are counted. A value "
                 "object (no id): computed on each read for a course and `since`.")
class CourseFunnel:
    course_id: strawberry.ID = strawberry.field(description="The course's id.")
    title: str = strawberry.field(description="The course's title.")
    since: datetime | None = strawberry.field(
        description="Only learners who viewed or enrolled at or after this time are counted; null for all.")
    learners: int | None = strawberry.field(description="The VIEWED stage's learners; null when suppressed.")
    stages: list[FunnelStageResult] = strawberry.field(description="The six stages in order.")

    @staticmethod
    def of(funnel: funnels.CourseFunnel) -> "CourseFunnel":
        return CourseFunnel(course_id=strawberry.ID(funnel.course_id), title=funnel.title, since=funnel.since,
                            learners=funnel.learners, stages=[FunnelStageResult.of(s) for s in funnel.stages])


@strawberry.type(description="An item of a skill and how often it is failed. A value object (no id): part of its "
                 "SkillStruggle.")
class ItemStruggle:
    item_id: strawberry.ID = strawberry.field(description="The item's (exercise's) id as answers name it.")
    suppressed: bool = strawberry.field(description=SUPPRESSED)
    learners: int | None = strawberry.field(description="Learners who answered it.")
    answers: int | None = strawberry.field(description="Its answers, retries included.")
    failure_rate: float | None = strawberry.field(description="Answers not correct / answers.")
    mean_hints: float | None = strawberry.field(description="Hints used per answer.")

    @staticmethod
    def of(item: struggles.ItemStruggle) -> "ItemStruggle":
        return ItemStruggle(item_id=strawberry.ID(item.item_id), suppressed=item.suppressed, learners=item.learners,
                            answers=item.answers, failure_rate=item.failure_rate, mean_hints=item.mean_hints)


@strawberry.type(description="Where learners struggle on one skill: their mastery estimates and quiz answers. When "
                 "not suppressed, the mastery numbers are still null if too few learners have an estimate, the "
                 "answer numbers if too few answered. A value object (no id): computed on each read for a skill "
                 "and `since`.")
class SkillStruggle:
    skill_id: strawberry.ID = strawberry.field(
        description="The skill's id: its Skill document's, else the skill as answers name it (casefolded).")
    name: str = strawberry.field(description="The Skill document's name, else the id.")
    suppressed: bool = strawberry.field(description=SUPPRESSED + " No item is listed.")
    learners: int | None = strawberry.field(description="Learners with a mastery estimate of the skill.")
    mean_mastery: float | None = strawberry.field(description="Their mean mastery probability (0–1).")
    mastered_share: float | None = strawberry.field(
        description="The share of them at or above the mastery threshold (`PATHWISE_MASTERY_THRESHOLD`).")
    answering_learners: int | None = strawberry.field(description="Learners who answered items of the skill.")
    answers: int | None = strawberry.field(description="Their answers, retries included.")
    failure_rate: float | None = strawberry.field(description="Answers not correct / answers.")
    mean_hints: float | None = strawberry.field(description="Hints used per answer.")
    items: list[ItemStruggle] = strawberry.field(
        description="Its items failed most (failure rate, then answers), then suppressed items by id.")

    @staticmethod
    def of(row: struggles.SkillStruggle) -> "SkillStruggle":
        return SkillStruggle(
            skill_id=strawberry.ID(row.skill_id), name=row.name, suppressed=row.suppressed, learners=row.learners,
            mean_mastery=row.mean_mastery, mastered_share=row.mastered_share,
            answering_learners=row.answering_learners, answers=row.answers, failure_rate=row.failure_rate,
            mean_hints=row.mean_hints, items=[ItemStruggle.of(item) for item in row.items])


@strawberry.type(description="A course a recommender served, and its share of the recommender's servings. A value "
                 "object (no id): part of its RecommenderPopularity.")
class ServedShare:
    course_id: strawberry.ID = strawberry.field(description="The course's id.")
    title: str | None = strawberry.field(description="Its title; null when it is not a published course.")
    servings: int = strawberry.field(description="Answers of the recommender that held it.")
    share: float = strawberry.field(description="servings / the recommender's servings.")

    @staticmethod
    def of(share: popularity.ServedShare) -> "ServedShare":
        return ServedShare(course_id=strawberry.ID(share.course_id), title=share.title, servings=share.servings,
                           share=share.share)


@strawberry.type(description="What one recommender (strategy) served over the window: its popularity bias. Counted "
                 "by the servers per day without any learner in it, so nothing is suppressed. A value object (no id): "
                 "computed on each read for a strategy and window.")
class RecommenderPopularity:
    strategy: str = strawberry.field(description="The strategy that answered (an experiment arm's included).")
    answers: int = strawberry.field(description="Its answers.")
    servings: int = strawberry.field(description="Course placements: per course the answers holding it, summed.")
    courses_served: int = strawberry.field(description="Distinct courses it served.")
    coverage: float | None = strawberry.field(
        description="Published courses it served / published courses; null without a published course.")
    gini: float | None = strawberry.field(
        description="Gini coefficient of its servings over the published catalog (unserved courses count 0): 0 when "
        "all are served alike, 1 - 1/n when one of n gets all; null without servings.")
    popularity_lift: float | None = strawberry.field(
        description="Servings-weighted mean enrolment count of the published courses it served / the catalog's "
        "mean enrolment count; above 1 it favours popular courses. Null without servings or enrolments.")
    top_courses: list[ServedShare] = strawberry.field(description="The courses it served most, most first.")

    @staticmethod
    def of(row: popularity.StrategyPopularity) -> "RecommenderPopularity":
        return RecommenderPopularity(
            strategy=row.strategy, answers=row.answers, servings=row.servings, courses_served=row.courses_served,
            coverage=row.coverage, gini=row.gini, popularity_lift=row.popularity_lift,
            top_courses=[ServedShare.of(course) for course in row.top_courses])
