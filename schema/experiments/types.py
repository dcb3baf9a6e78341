"""GraphQL types of A/B experiments: the experiment, its variants and population, inputs, payloads and pages."""

from datetime import datetime

import strawberry

from app.core.documents import Experiment as ExperimentDocument
from app.core.documents import ExperimentKind, ExperimentMetric, ExperimentStatus, Population, Variant
from resolvers.experiments import definitions
from resolvers.pages import Page
from schema.courses.types import PageInfo, page_info_of
from schema.enums import described_enum
from schema.errors import UserError
from schema.ids import pair_id

ExperimentStatusType = described_enum(ExperimentStatus, "ExperimentStatus", "Where an experiment is in its life.", {
    "DRAFT": "Created, never started: no one is assigned yet.",
    "RUNNING": "`auto` recommendations of eligible learners are answered by their variant.",
    "PAUSED": "No one is assigned; `startExperiment` resumes it with the same assignments.",
    "STOPPED": "Ended for good; its report stays readable.",
})
ExperimentKindType = described_enum(ExperimentKind, "ExperimentKind", "How an experiment compares its variants.", {
    "A_B": "Each eligible learner is served one variant, by the variants' traffic shares (sticky).",
    "INTERLEAVING": "Exactly two variants; every eligible learner's list merges both rankers' lists by team draft "
                    "(each item names the variant that placed it). Credit goes to the variant whose items are "
                    "clicked (or enrolled in, for ENROLMENT): far fewer learners are needed to tell two rankers "
                    "apart. Shares are not used.",
})
ExperimentMetricType = described_enum(ExperimentMetric, "ExperimentMetric", "What an experiment measures per learner.",
                                      {
    "CLICK_THROUGH": "Recommendation clicks per impression.",
    "ENROLMENT": "Recommended courses enrolled in within 7 days of their first impression, per course shown.",
    "COMPLETION": "Recommended courses completed within 30 days of their first impression, per course shown.",
    "DISMISSAL": "Recommendation dismissals per impression; lower is better (a guardrail). Always reported.",
    "MASTERY_GAINED": "Mastery gained on the skills of the courses shown (their practice items' skills): per skill, "
                      "max(0, mastery - prior) when practised after the course's first impression, else 0; the "
                      "mean per shown skill.",
                                      })


@strawberry.type(description="One arm of an experiment: the strategy it serves and its share of the learners. Its "
                 "id is the experiment's id and its name.")
class ExperimentVariant:
    id: strawberry.ID = strawberry.field(description="`<experiment id>:<variant name>`.")
    name: str = strawberry.field(description="Unique within its experiment; the first variant is the control.")
    strategy: str = strawberry.field(description="The recommender it serves: `auto` or an enabled recommender.")
    share: float = strawberry.field(description="Its share of the eligible learners, above 0; shares sum to 1.")
    diversity: float | None = strawberry.field(
        description="The diversity (0–1) its lists use in place of the asked one; null keeps the asked one.")
    first: int | None = strawberry.field(
        description="How many courses (1–100) its lists hold in place of the asked `first`; null keeps it.")


@strawberry.type(description="A segment pair a learner must have to take part. A value object (no id): part of its "
                 "population.")
class SegmentPair:
    name: str = strawberry.field(description="The segment: interest, role, level or language.")
    value: str = strawberry.field(description="The value to match, case aside, e.g. `en` for language.")


@strawberry.type(description="Who may take part, besides consent: only learners who allow personalization are "
                 "ever assigned. A value object (no id): part of its experiment.")
class ExperimentPopulation:
    new_learners: bool | None = strawberry.field(description=(
        "true: only accounts created since the experiment first started; false: only older ones; null: both."))
    segment: list[SegmentPair] = strawberry.field(
        description="Pairs the learner's segments must all contain; empty for everyone.")


@strawberry.type(description="An experiment over recommendation strategies (A/B or interleaving); its id is the slug "
                 "it was created with.")
class Experiment:
    id: strawberry.ID = strawberry.field(description="The slug given at creation, e.g. `hybrid-vs-popular`.")
    name: str = strawberry.field(description="A short name for people.")
    hypothesis: str = strawberry.field(description="What the experiment expects to show; may be empty.")
    kind: ExperimentKindType = strawberry.field(  # type: ignore[valid-type]
        description="A_B (one variant per learner) or INTERLEAVING (two rankers merged in every list).")
    status: ExperimentStatusType = strawberry.field(  # type: ignore[valid-type]
        description="DRAFT, RUNNING, PAUSED or STOPPED.")
    variants: list[ExperimentVariant] = strawberry.field(description="2 to 5 variants; the first is the control.")
    population: ExperimentPopulation = strawberry.field(description="Who may take part.")
    primary_metric: ExperimentMetricType = strawberry.field(  # type: ignore[valid-type]
        description="The metric that decides the experiment.")
    guardrails: list[ExperimentMetricType] = strawberry.field(  # type: ignore[valid-type]
        description="Metrics that must not get worse.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    started_at: datetime | None = strawberry.field(
        description="When it first started (UTC); a restart after a pause keeps it. Null while a draft.")
    stopped_at: datetime | None = strawberry.field(description="When it was stopped (UTC); null before.")


@strawberry.type(description="An experiment of a page and its cursor. A value object (no id): its node is the entity.")
class ExperimentEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this experiment.")
    node: Experiment = strawberry.field(description="The experiment.")


@strawberry.type(description="A page of experiments in id order, Relay style. A value object (no id).")
class ExperimentConnection:
    total_count: int = strawberry.field(description="Experiments matching the filter, over all pages.")
    edges: list[ExperimentEdge] = strawberry.field(description="This page's experiments, in id order.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors.")


@strawberry.input(description="One arm of a new experiment.")
class VariantInput:
    name: str = strawberry.field(description="Unique within the experiment, follows the id rule (≤ 200 characters).")
    strategy: str = strawberry.field(description="`auto` or an enabled recommender (see `recommenders`).")
    share: float = strawberry.field(description="Above 0 and at most 1; the variants' shares sum to 1 (± 1e-6), "
                                    "except in an INTERLEAVING experiment, which does not use them.")
    diversity: float | None = strawberry.field(default=None, description="0–1, replacing the asked diversity.")
    first: int | None = strawberry.field(default=None, description="1–100, replacing the asked `first`.")


@strawberry.input(description="A segment pair the learner must have.")
class SegmentPairInput:
    name: str = strawberry.field(description="interest, role, level or language.")
    value: str = strawberry.field(description="1–200 characters, compared with the learner's case aside.")


@strawberry.input(description="Who may take part (learners who allow personalization only, always).")
class PopulationInput:
    new_learners: bool | None = strawberry.field(
        default=None, description="true: new accounts only; false: returning learners only; null: both.")
    segment: list[SegmentPairInput] | None = strawberry.field(
        default=None, description="Pairs that must all match (interest, role, level, language, each at most once); "
        "null or empty for everyone.")


@strawberry.input(description="A new experiment; it starts as a DRAFT.")
class CreateExperimentInput:
    id: strawberry.ID = strawberry.field(description="A slug following the id rule (≤ 200 characters), unique.")
    name: str = strawberry.field(description="1–200 characters.")
    variants: list[VariantInput] = strawberry.field(description="2 to 5; the first is the control.")
    hypothesis: str = strawberry.field(default="", description="At most 2,000 characters.")
    kind: ExperimentKindType = strawberry.field(  # type: ignore[valid-type]
        default=ExperimentKind.A_B, description="A_B (default) or INTERLEAVING (exactly 2 variants; shares unused).")
    population: PopulationInput | None = strawberry.field(default=None, description="Null for every learner.")
    primary_metric: ExperimentMetricType = strawberry.field(  # type: ignore[valid-type]
        default=ExperimentMetric.CLICK_THROUGH, description="What decides the experiment.")
    guardrails: list[ExperimentMetricType] = strawberry.field(  # type: ignore[valid-type]
        default_factory=list, description="Metrics that must not get worse.")


@strawberry.type(description="What an experiment mutation changed: the experiment as it is now, or why not.")
class ExperimentPayload:
    experiment: Experiment | None = strawberry.field(
        default=None, description="The experiment after the change; null when it was refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on success.")


def experiment_of(document: ExperimentDocument) -> Experiment:
    pairs = (document.population.segment or {}).items()
    return Experiment(
        id=strawberry.ID(document.id), name=document.name, hypothesis=document.hypothesis, kind=document.kind,
        status=document.status,
        variants=[_variant_of(document.id, variant) for variant in document.variants],
        population=ExperimentPopulation(new_learners=document.population.new_learners,
                                        segment=[SegmentPair(name=name, value=value) for name, value in pairs]),
        primary_metric=document.primary_metric, guardrails=list(document.guardrails), created_at=document.created_at,
        started_at=document.started_at, stopped_at=document.stopped_at)


def _variant_of(experiment_id: str, variant: Variant) -> ExperimentVariant:
    return ExperimentVariant(id=pair_id(experiment_id, variant.name), name=variant.name, strategy=variant.strategy,
                             share=variant.share, diversity=variant.diversity, first=variant.first)


def connection_of(page: Page[ExperimentDocument]) -> ExperimentConnection:
    edges = [ExperimentEdge(cursor=cursor, node=experiment_of(node))
             for node, cursor in zip(page.items, page.cursors, strict=True)]
    return ExperimentConnection(total_count=page.total_count, edges=edges, page_info=page_info_of(page))


def draft_of(given: CreateExperimentInput) -> definitions.ExperimentDraft:
    """The input as the use case takes it."""
    population = given.population or PopulationInput()
    segment = {pair.name: pair.value for pair in population.segment} if population.segment else None
    return definitions.ExperimentDraft(
        id=str(given.id), name=given.name, hypothesis=given.hypothesis, kind=ExperimentKind(given.kind),
        variants=[Variant(name=v.name, strategy=v.strategy, share=v.share, diversity=v.diversity, first=v.first)
                  for v in given.variants],
        population=Population(new_learners=population.new_learners, segment=segment),
        primary_metric=ExperimentMetric(given.primary_metric),
        guardrails=[ExperimentMetric(metric) for metric in given.guardrails])
