"""Every part of the schema is described, and every type a client caches has an `id` (issue 10, item 5)."""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

from app.core.settings import Settings
from schema.schema import build_schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}

# Object types without an `id`, each with why a normalised cache keeps it inside its parent (or not at all).
VALUE_TYPES = {
    "Query": "the root of reads",
    "Mutation": "the root of writes",
    "Activity": "an entry of User.recentActivity, kept inside the learner",
    "AuditEntryConnection": "the answer to one auditLog query; its nodes are the entities",
    "AuditEntryEdge": "a position in one page; its node is the entity",
    "CollectedEvent": "a line of the privacy notice",
    "CollectionCount": "a count reported once by setConsent or deleteMyData",
    "CourseConnection": "the answer to one courses query; its nodes are the entities",
    "CourseEdge": "a position in one page; its node is the entity",
    "CourseStats": "part of its Course, cached inside it",
    "DataSection": "part of a myData snapshot",
    "Education": "part of its ConnectedAccount",
    "EventResult": "the fate of one input event; events are write-only",
    "ExerciseConnection": "the answer to one exercises query; its nodes are the entities",
    "ExerciseEdge": "a position in one page; its node is the entity",
    "Comparison": "part of its MetricResult or DailyPoint",
    "DailyPoint": "part of its ExperimentReport",
    "MetricResult": "part of its VariantResult",
    "SampleRatioCheck": "part of its ExperimentReport",
    "VariantResult": "part of its ExperimentReport",
    "CourseFunnel": "an aggregate computed on each read (per course and `since`), never cached as an entity",
    "FunnelStageResult": "part of its CourseFunnel",
    "SkillStruggle": "an aggregate computed on each read (per skill and `since`), never cached as an entity",
    "ItemStruggle": "part of its SkillStruggle",
    "RecommenderPopularity": "an aggregate computed on each read (per strategy and window)",
    "ServedShare": "part of its RecommenderPopularity",
    "ShownCourses": "part of its VariantResult",
    "ServingDay": "a row of servingMetrics, an aggregate computed on each read",
    "PurposeCount": "a row of its ConsentStatistics",
    "ConsentStatistics": "an aggregate computed on each read",
    "ServedAnswers": "part of its VariantResult",
    "InterleavingResult": "part of its ExperimentReport",
    "Preference": "part of its InterleavingResult or PreferencePoint",
    "PreferencePoint": "a point of its InterleavingResult's daily series",
    "ExperimentConnection": "the answer to one experiments query; its nodes are the entities",
    "ExperimentEdge": "a position in one page; its node is the entity",
    "ExperimentPopulation": "part of its Experiment",
    "GoalMatch": "part of its LearningPath",
    "Insights": "derived from the learner's events, cached inside the learner",
    "Interest": "part of Insights",
    "MyData": "a snapshot taken when asked, never cached",
    "NextExercise": "a suggestion valid for one answer; its exercise is the entity",
    "Onboarding": "part of the learner, cached inside them",
    "PageInfo": "part of its connection",
    "Position": "part of its ConnectedAccount",
    "Preferences": "part of the learner, cached inside them (every preference mutation returns the learner)",
    "PrivacyNotice": "one per deployment, the same for everyone",
    "ProvenanceEntry": "part of the learner",
    "PurposeNotice": "part of the privacy notice",
    "Reason": "part of its RecommendedCourse",
    "RecommendationCacheInfo": "statistics of one server process, read fresh",
    "RecommendationFeedback": "part of the learner's Preferences",
    "Share": "part of Insights",
    "SkillAccuracy": "part of Insights",
    "SkillConnection": "the answer to one skills query; its nodes are the entities",
    "SkillEdge": "a position in one page; its node is the entity",
    "SkillLevel": "part of the learner's Onboarding",
    "SegmentPair": "part of its ExperimentPopulation",
    "SkippedSkill": "part of its LearningPath; its skill is the entity",
    "StoredDataNotice": "part of the privacy notice",
    "Taxonomy": "one per deployment, derived from the catalog",
    "UserError": "a problem reported once by a payload",
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def _named_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    return [t for name, t in sorted(schema.type_map.items())
            if not name.startswith("__") and name not in BUILT_IN_SCALARS]


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument, input field and enum value of `schema` without a description."""
    missing = []
    for named in _named_types(schema):
        if not named.description:
            missing.append(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{named.name}.{field_name}")
                missing += [f"{named.name}.{field_name}({arg})" for arg, value in field.args.items()
                            if not value.description]
        if isinstance(named, GraphQLInputObjectType):
            missing += [f"{named.name}.{name}" for name, field in named.fields.items() if not field.description]
        if isinstance(named, GraphQLEnumType):
            missing += [f"{named.name}.{name}" for name, value in named.values.items() if not value.description]
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description(schema: GraphQLSchema) -> None:
    assert undescribed(schema) == []


def test_the_walk_finds_what_is_not_described() -> None:
    from graphql import build_schema as from_sdl

    sdl = '"Q" type Query { "f" a(x: Int): E b: Int } enum E { ONE "two" TWO }'
    assert undescribed(from_sdl(sdl)) == ["E", "E.ONE", "Query.a(x)", "Query.b"]


def test_object_types_without_an_id_are_the_listed_value_types(schema: GraphQLSchema) -> None:
    objects = [t for t in _named_types(schema) if isinstance(t, GraphQLObjectType)]
    without_id = {t.name for t in objects if "id" not in t.fields}
    payloads = {name for name in without_id if name.endswith("Payload")}  # a mutation's answer, never cached
    assert without_id - payloads == set(VALUE_TYPES), "give the new type an `id`, or list it with a reason"


def test_entities_have_a_non_null_id(schema: GraphQLSchema) -> None:
    for named in _named_types(schema):
        if isinstance(named, GraphQLObjectType) and "id" in named.fields:
            assert str(named.fields["id"].type) == "ID!", named.name


def test_value_types_say_why_they_have_no_id(schema: GraphQLSchema) -> None:
    undocumented = [name for name in VALUE_TYPES if name not in ("Query", "Mutation")
                    and "no id" not in (schema.type_map[name].description or "")
                    and "value object" not in (schema.type_map[name].description or "").lower()]
    assert undocumented == []
