"""How many learners granted or refused each purpose: counts only, small groups withheld.

Per purpose: learners who granted it (stated: `User.consents[purpose]` true), who refused it (false) and who never
said (neither); whether the deployment grants it by default (then the undecided are treated as granting). A count
under `settings.analytics_min_group` is None and the row says `suppressed`.
"""

from dataclasses import dataclass

from app.core.documents import Purpose, User
from app.core.settings import Settings
from resolvers.analytics.disclosure import small
from resolvers.purposes import default_purposes


@dataclass(frozen=True)
class PurposeCount:
    """One purpose's stated choices."""

    purpose: Purpose
    granted: int | None
    refused: int | None
    undecided: int | None
    granted_by_default: bool
    suppressed: bool


@dataclass(frozen=True)
class ConsentStatistics:
    """Every purpose's counts over the learners known now."""

    learners: int
    purposes: tuple[PurposeCount, ...]


async def consent_statistics(settings: Settings) -> ConsentStatistics:
    """The counts per purpose (two counts each; the embedded store counts without reading documents)."""
    users = User.get_pymongo_collection()
    learners = await users.count_documents({})
    defaults = default_purposes(settings.default_consents)
    rows = []
    for purpose in Purpose:
        granted = await users.count_documents({f"consents.{purpose.value}": True})
        refused = await users.count_documents({f"consents.{purpose.value}": False})
        undecided = learners - granted - refused
        hidden = any(count > 0 and small(count, settings) for count in (granted, refused, undecided))
        rows.append(PurposeCount(purpose, None if hidden else granted, None if hidden else refused,
                                 None if hidden else undecided, purpose in defaults, hidden))
    return ConsentStatistics(learners, tuple(rows))
