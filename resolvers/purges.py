"""What withdrawing a purpose removes at once: the data collected only for it, and what was derived from it.

- Every purpose: the learner's raw events collected for it.
- behavioral_tracking: also `insights` and `recent_activity` are reset and recomputed from the events kept
  (those collected as essential); aggregates of essential events already expired are not recovered.
- third_party_import: the connected accounts, and the profile values they set that the learner has not
  changed since (their provenance still names the provider), through resolvers.accounts.
- personalization: the learner's cached recommendation lists are dropped (`touched`); nothing else is stored
  for it alone.
- analytics: nothing is stored for it yet beyond events of that purpose."""

from app.documents import ConnectedAccount, Event, Purpose, User
from app.documents.profiles import Insights
from resolvers import insights
from resolvers.accounts import disconnect_account
from resolvers.learner_changes import touched

REPLAY_CHUNK = 1_000


async def purge_for(user_id: str, purpose: Purpose, half_life_days: float) -> dict[str, int]:
    """Purge what was collected only for `purpose`; returns documents removed or reset per collection."""
    removed = await Event.get_pymongo_collection().delete_many({"user_id": user_id, "purpose": purpose.value})
    purged = {"events": removed.deleted_count}
    if purpose is Purpose.BEHAVIORAL_TRACKING:
        purged["users"] = await recompute_insights(user_id, half_life_days)
    if purpose is Purpose.THIRD_PARTY_IMPORT:
        purged.update(await remove_imports(user_id))
    touched(user_id)
    return purged


async def recompute_insights(user_id: str, half_life_days: float) -> int:
    """Reset the learner's insights and recent activity, then fold the events still held back in."""
    reset = {"$set": {"insights": Insights().model_dump(), "recent_activity": []}}
    result = await User.get_pymongo_collection().update_one({"_id": user_id}, reset)
    if not result.matched_count:
        return 0
    kept = await Event.find({"user_id": user_id}).to_list()
    kept.sort(key=lambda e: (e.client_timestamp or e.server_timestamp, e.server_timestamp))
    for start in range(0, len(kept), REPLAY_CHUNK):
        await insights.apply_events(kept[start:start + REPLAY_CHUNK], half_life_days)
    return 1


async def remove_imports(user_id: str) -> dict[str, int]:
    """Disconnect every account of the learner: the values each import set and the provider still owns are
    taken back (resolvers.accounts.disconnect_account), then the account is deleted."""
    accounts = await ConnectedAccount.find({"user_id": user_id}).to_list()
    for account in accounts:
        await disconnect_account(user_id, account.provider.value)
    leftover = await ConnectedAccount.get_pymongo_collection().delete_many({"user_id": user_id})
    return {"accounts": len(accounts) + leftover.deleted_count, "users": 1 if accounts else 0}
