"""Ids of answer entities: stable for the same question, different for another."""

from dataclasses import dataclass

from schema.ids import pair_id, question_id


@dataclass(frozen=True)
class _Question:
    first: int
    skills: tuple[str, ...]


def test_the_same_question_gets_the_same_id() -> None:
    assert question_id("q", "u1", _Question(3, ("sql",))) == question_id("q", "u1", _Question(3, ("sql",)))


def test_another_learner_argument_or_kind_gets_another_id() -> None:
    base = question_id("q", "u1", _Question(3, ("sql",)))
    others = {question_id("q", "u2", _Question(3, ("sql",))), question_id("q", "u1", _Question(4, ("sql",))),
              question_id("q", "u1", _Question(3, ("python",))), question_id("r", "u1", _Question(3, ("sql",))),
              question_id("q", "u1", None)}
    assert base not in others and len(others) == 5


def test_ids_are_short_and_name_their_kind() -> None:
    found = question_id("recommendations", "u1")
    assert found.startswith("recommendations:") and len(found) == len("recommendations:") + 20


def test_pair_ids_join_owner_and_item_as_documents_do() -> None:
    assert pair_id("u1", "c1") == "u1:c1"
