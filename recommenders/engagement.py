"""How a learner engaged with an item, in words: reason texts say what the learner did, never more
("Because you completed SQL Basics", not "Because you took SQL Basics" after one page view)."""

from collections.abc import Iterable

from recommenders.base import Interaction

# signal kind -> what the learner did, as a verb phrase
_DID = {
    "complete": "completed",
    "enroll": "are taking",
    "rate": "rated highly",
    "bookmark": "saved",
    "share": "shared",
    "lesson_complete": "are studying",
    "video_complete": "are studying",
    "recommendation_click": "looked at",
    "course_view": "looked at",
}
_SOME_INTEREST = "showed interest in"


def what_you_did(kind: str | None) -> str:
    """The verb phrase for a signal kind: "completed", "are taking", "looked at", …"""
    return _DID.get(kind or "", _SOME_INTEREST)


def strongest_kinds(history: Iterable[Interaction]) -> dict[str, str | None]:
    """Per item, the kind of the learner's strongest signal on it (the latest among equals)."""
    best: dict[str, Interaction] = {}
    for signal in history:
        if signal.weight > 0 and (signal.item_id not in best or signal.weight >= best[signal.item_id].weight):
            best[signal.item_id] = signal
    return {item_id: signal.kind for item_id, signal in best.items()}


def because_you(kind: str | None, title: str) -> str:
    """"Because you completed X", "Because you are taking X", "Because you looked at X"."""
    return f"Because you {what_you_did(kind)} {title}"


def similar_to(kind: str | None, title: str) -> str:
    """"Similar to X, which you completed" (or "are taking", "looked at", …)."""
    return f"Similar to {title}, which you {what_you_did(kind)}"
