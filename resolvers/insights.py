"""The living profile: each learner's insights, updated incrementally as their events are stored."""

from collections import defaultdict
from typing import Any

from pymongo import UpdateOne

from app.documents import Event, User
from app.documents.profiles import RECENT_ACTIVITY_LIMIT, Activity


async def apply_events(events: list[Event], half_life_days: float) -> None:
    """Fold newly stored events into their learners' documents (one bulk write per call)."""
    by_user: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    writes = [UpdateOne({"_id": user_id}, _update_for(batch), upsert=True) for user_id, batch in by_user.items()]
    if writes:
        await User.get_pymongo_collection().bulk_write(writes, ordered=False)


def _update_for(events: list[Event]) -> dict[str, Any]:
    oldest_first = sorted(events, key=lambda e: e.client_timestamp or e.server_timestamp)
    activity = [Activity(type=e.type, at=e.client_timestamp or e.server_timestamp, course_id=e.course_id)
                for e in oldest_first[-RECENT_ACTIVITY_LIMIT:]]
    return {
        "$inc": {"insights.events": len(events)},
        # kept oldest first, capped: the newest RECENT_ACTIVITY_LIMIT survive
        "$push": {"recent_activity": {"$each": [a.model_dump() for a in activity], "$slice": -RECENT_ACTIVITY_LIMIT}},
        "$setOnInsert": {"created_at": oldest_first[0].server_timestamp},
    }
