"""Which purposes a learner has granted now: a pure reading of the learner's choices over the deployment's
defaults. Kept apart from `resolvers.privacy.consents` (which writes the ledger and purges) so that readers such as
event ingestion and account imports do not depend on the purge machinery."""

from collections.abc import Iterable

from app.core.documents import Purpose, User


def default_purposes(configured: Iterable[str]) -> set[Purpose]:
    """`essential` plus the purposes the deployment grants by default."""
    return {Purpose.ESSENTIAL} | {Purpose(value) for value in configured}


def granted_purposes(user: User | None, defaults: set[Purpose]) -> set[Purpose]:
    """The purposes granted now: the learner's own choices over the deployment's defaults."""
    stated = user.consents if user is not None else {}
    granted = {purpose for purpose in Purpose if stated.get(purpose.value, purpose in defaults)}
    return granted | {Purpose.ESSENTIAL}
