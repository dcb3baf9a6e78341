"""What withdrawing a purpose removes at once: the data collected only for it, and what was derived from it.

- Every purpose: the learner's raw events collected for it.
- behavioral_tracking: also `insights` and `recent_activity` are reset and recomputed from the events kept
  (those collected as essential); aggregates of essential events already expired are not recovered.
- third_party_import: the connected accounts, and the profile values they set that the learner has not
  changed since (their provenance still names the provider), through resolvers.profile.accounts.
- personalization: the learner's cached recommendation lists are dropped (as by every purge: its writes go
  through resolvers.learner_writes); nothing else is stored for it alone.
- analytics: nothing is stored for it yet beyond events of that purpose."""

from app.core.documents import ConnectedAccount, Event, Purpose, User
from app.core.documents.profiles import Insights
from resolvers.learner_writes import changing, delete_learner_data, update_learner
from resolvers.profile import folding
from resolvers.profile.accounts import disconnect_account

REPLAY_CHUNK = 1_000


async def purge_for(user_id: str, purpose: Purpose, half_life_days: float) -> dict[str, int]:
    """Purge what was collected only for `purpose`; returns documents removed or reset per collection."""
    purged = {"events": await delete_learner_data(Event, user_id, {"user_id": user_id, "purpose": purpose.value})}
    if purpose is Purpose.BEHAVIORAL_TRACKING:
        purged["users"] = await recompute_insights(user_id, half_life_days)
    if purpose is Purpose.THIRD_PARTY_IMPORT:
        purged.update(await remove_imports(user_id))
    return purged


async def recompute_insights(user_id: str, half_life_days: float) -> int:
    """Reset the learner's insights and recent activity, then fold the events still held back in (one unit of
    work: the folding's own writes do not announce the learner)."""
    reset = {"$set": {"insights": Insights().model_dump(), "recent_activity": []}}
    async with changing([user_id]):
        result = await update_learner(User, user_id, {"_id": user_id}, reset)
        if not result.matched_count:
            return 0
        kept = await Event.find({"user_id": user_id}).to_list()
        kept.sort(key=lambda e: (e.client_timestamp or e.server_timestamp, e.server_timestamp))
        for start in range(0, len(kept), REPLAY_CHUNK):
            await folding.apply_events(kept[start:start + REPLAY_CHUNK], half_life_days)
    return 1


async def remove_imports(user_id: str) -> dict[str, int]:
    """Disconnect every account of the learner: the values each import set and the provider still owns are
    taken back (resolvers.profile.accounts.disconnect_account), then the account is deleted."""
    accounts = await ConnectedAccount.find({"user_id": user_id}).to_list()
    for account in accounts:
        await disconnect_account(user_id, account.provider.value)
    leftover = await delete_learner_data(ConnectedAccount, user_id, {"user_id": user_id})
    return {"accounts": len(accounts) + leftover, "users": 1 if accounts else 0}
