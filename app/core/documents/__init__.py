"""Beanie documents: what Pathwise stores in MongoDB. String ids only, no `Link` fields."""

from app.core.documents.accounts import ConnectedAccount, Provider
from app.core.documents.audit import AuditAction, AuditEntry
from app.core.documents.consents import ConsentEntry, ConsentSource, Purpose
from app.core.documents.courses import Course, CourseFormat, CourseLevel
from app.core.documents.data_keys import DataKey
from app.core.documents.enrollments import Enrollment, EnrollmentStatus
from app.core.documents.events import Event, EventContext, StoredEvent
from app.core.documents.experiments import (
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    ExperimentStatus,
    Population,
    Variant,
)
from app.core.documents.imports import CatalogImport
from app.core.documents.practice import (
    Exercise,
    ExerciseFormat,
    KnowledgeState,
    PlacementStatus,
    PlacementTest,
    ReviewCard,
    Skill,
    SkillMastery,
)
from app.core.documents.ratings import Rating
from app.core.documents.serving import (
    CHANGE_TTL_SECONDS,
    LATENCY_BOUNDS_MS,
    LearnerChange,
    ServedCourse,
    ServedTally,
    latency_bucket,
    latency_keys,
)
from app.core.documents.users import PROFILE_FIELDS, User

DOCUMENT_MODELS: list[type] = [User, Course, Enrollment, Rating, Event, ConsentEntry, ConnectedAccount, Skill, Exercise,
                               KnowledgeState, ReviewCard, PlacementTest, DataKey, AuditEntry, Experiment,
                               ServedTally, ServedCourse, CatalogImport, LearnerChange]

__all__ = [
    "CHANGE_TTL_SECONDS",
    "DOCUMENT_MODELS",
    "LATENCY_BOUNDS_MS",
    "PROFILE_FIELDS",
    "AuditAction",
    "AuditEntry",
    "CatalogImport",
    "ConnectedAccount",
    "ConsentEntry",
    "ConsentSource",
    "Course",
    "CourseFormat",
    "CourseLevel",
    "DataKey",
    "Enrollment",
    "EnrollmentStatus",
    "Event",
    "EventContext",
    "Exercise",
    "ExerciseFormat",
    "Experiment",
    "ExperimentKind",
    "ExperimentMetric",
    "ExperimentStatus",
    "KnowledgeState",
    "LearnerChange",
    "PlacementStatus",
    "PlacementTest",
    "Population",
    "Provider",
    "Purpose",
    "Rating",
    "ReviewCard",
    "ServedCourse",
    "ServedTally",
    "Skill",
    "SkillMastery",
    "StoredEvent",
    "User",
    "Variant",
    "latency_bucket",
    "latency_keys",
]
