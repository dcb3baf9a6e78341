"""resolvers.analytics.consents: per purpose the learners who granted, refused or never said; small groups hidden."""

import pytest

from app.core.documents import Purpose, User
from app.core.settings import Settings
from resolvers.analytics.consents import consent_statistics

pytestmark = pytest.mark.usefixtures("clean")


async def test_counts_per_purpose_with_defaults_and_small_groups_suppressed() -> None:
    await User.get_pymongo_collection().insert_many(
        [{"_id": f"g{n}", "consents": {"personalization": True, "analytics": True}} for n in range(6)]
        + [{"_id": f"r{n}", "consents": {"personalization": False, "analytics": True}} for n in range(2)]
        + [{"_id": "silent"}])
    found = await consent_statistics(Settings(analytics_min_group=2, default_consents=["analytics"]))
    rows = {row.purpose: row for row in found.purposes}
    assert found.learners == 9
    personal = rows[Purpose.PERSONALIZATION]
    assert (personal.granted, personal.refused, personal.undecided, personal.suppressed) == (None, None, None, True)
    analytics = rows[Purpose.ANALYTICS]
    assert (analytics.granted, analytics.refused, analytics.undecided) == (None, None, None)  # one undecided
    tracking = rows[Purpose.BEHAVIORAL_TRACKING]
    assert (tracking.granted, tracking.refused, tracking.undecided, tracking.suppressed) == (0, 0, 9, False)
    assert analytics.granted_by_default and not tracking.granted_by_default
    relaxed = await consent_statistics(Settings(analytics_min_group=1))
    personal = next(row for row in relaxed.purposes if row.purpose == Purpose.PERSONALIZATION)
    assert (personal.granted, personal.refused, personal.undecided, personal.suppressed) == (6, 2, 1, False)
