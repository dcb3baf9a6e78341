"""An experiment over recommendation strategies, A/B or interleaved: its variants and traffic shares, who takes part,
what it measures, and where it is in its life (draft, running, paused, stopped)."""

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class ExperimentStatus(StrEnum):
    DRAFT = "DRAFT"  # created, never started
    RUNNING = "RUNNING"  # `auto` requests of eligible learners get their variant
    PAUSED = "PAUSED"  # no one is assigned; may be started again
    STOPPED = "STOPPED"  # final


class ExperimentKind(StrEnum):
    A_B = "A_B"  # each learner is served one variant, by their traffic share
    INTERLEAVING = "INTERLEAVING"  # two variants' lists merged by team draft for every learner; credit by clicks


class ExperimentMetric(StrEnum):
    CLICK_THROUGH = "CLICK_THROUGH"  # clicks / impressions
    ENROLMENT = "ENROLMENT"  # recommended courses enrolled in within 7 days
    COMPLETION = "COMPLETION"  # recommended courses completed within 30 days
    DISMISSAL = "DISMISSAL"  # dismissals / impressions (lower is better: a guardrail)
    MASTERY_GAINED = "MASTERY_GAINED"  # mastery gained on the shown courses' skills, per skill


class Variant(BaseModel):
    """One arm: the strategy it serves, its share of the traffic, and optional overrides of the ask."""

    name: str
    strategy: str
    share: float  # the variants' shares sum to 1
    diversity: float | None = None  # replaces the ask's diversity (0–1); None keeps it
    first: int | None = None  # replaces the ask's `first`; None keeps it


class Population(BaseModel):
    """Who may take part (besides consent): new learners, returning ones or both; and segment pairs to match."""

    new_learners: bool | None = None  # True: accounts created since the start; False: before it; None: everyone
    segment: dict[str, str] | None = None  # the learner's `segments_of()` must contain these pairs


class Experiment(Document):
    """`_id` is the slug the partner gives (e.g. `hybrid-vs-popular`); the first variant is the control."""

    id: str  # type: ignore[assignment]
    name: str
    hypothesis: str = ""
    kind: ExperimentKind = ExperimentKind.A_B
    status: ExperimentStatus = ExperimentStatus.DRAFT
    variants: list[Variant]
    population: Population = Field(default_factory=Population)
    primary_metric: ExperimentMetric = ExperimentMetric.CLICK_THROUGH
    guardrails: list[ExperimentMetric] = Field(default_factory=list)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    started_at: UtcDatetime | None = None  # the first start; set once
    stopped_at: UtcDatetime | None = None

    def started(self) -> datetime:
        """When it first started (its creation while it never did)."""
        return self.started_at or self.created_at

    class Settings:
        name = "experiments"
        indexes = [IndexModel([("status", pymongo.ASCENDING)], name="experiment_status")]
