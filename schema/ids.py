"""Ids of the entities that only exist as answers to a question (recommendation lists, learning paths, mastery
reports): stable for the same question, so that normalised client caches (Apollo, urql) update them in place."""

import dataclasses
import hashlib
import json

import strawberry


def question_id(kind: str, *parts: object) -> strawberry.ID:
    """`kind:` and a short hash of `parts` (dataclasses, lists and scalars; None kept): equal parts give an
    equal id in every process, different parts a different one."""
    plain = [dataclasses.asdict(p) if dataclasses.is_dataclass(p) and not isinstance(p, type) else p for p in parts]
    text = json.dumps(plain, sort_keys=True, default=str, separators=(",", ":"))
    return strawberry.ID(f"{kind}:{hashlib.sha256(text.encode()).hexdigest()[:20]}")


def pair_id(owner: str, item: str) -> strawberry.ID:
    """The id of what one learner has of one thing (`<owner>:<item>`), as the documents' own ids are built."""
    return strawberry.ID(f"{owner}:{item}")
