"""The event taxonomy: typed properties, purposes, camelCase from JavaScript clients."""

from app.core.documents import Purpose
from resolvers.event_types import (
    CUSTOM,
    SPECS,
    NoProps,
    QuizAnswer,
    _field_names,
    canonical_properties,
    check_properties,
    spec_for,
)


def test_every_type_has_a_purpose_and_a_description() -> None:
    assert all(spec.description and spec.purpose in Purpose for spec in SPECS.values())
    assert spec_for("custom:lesson_rated") is CUSTOM and spec_for("custom:") is None and spec_for("nope") is None


def test_camel_case_properties_become_snake_case() -> None:
    spec = SPECS["quiz_answer"]
    given = {"itemId": "q1", "responseTimeMs": 900, "correct": True, "extraThing": 1}
    assert canonical_properties(spec, given) == {"item_id": "q1", "response_time_ms": 900, "correct": True,
                                                 "extraThing": 1}
    assert canonical_properties(spec, {"item_id": "a", "itemId": "b", "correct": False}) == {
        "item_id": "a", "correct": False}


def test_snake_case_properties_come_back_unchanged_in_a_new_dict() -> None:
    given = {"item_id": "q1", "correct": True, "_item_id": "x"}
    canonical = canonical_properties(SPECS["quiz_answer"], {"item_id": "q1", "correct": True})
    assert canonical == {"item_id": "q1", "correct": True}
    assert canonical_properties(SPECS["quiz_answer"], given) == {"item_id": "q1", "correct": True}
    plain = {"correct": True}
    assert canonical_properties(SPECS["quiz_answer"], plain) is not plain


def test_field_names_are_those_of_the_model() -> None:
    assert _field_names(QuizAnswer) == frozenset(QuizAnswer.model_fields)
    assert _field_names(NoProps) == frozenset()


def test_typed_properties_are_checked() -> None:
    assert check_properties(SPECS["quiz_answer"], {"item_id": "q1", "correct": True}) is None
    assert check_properties(SPECS["quiz_answer"], {"item_id": "q1"}) == "properties.correct: Field required"
    assert check_properties(SPECS["search"], {"query": "x", "result_count": -1}) is not None
