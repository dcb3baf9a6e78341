"""resolvers.purposes: the purposes a learner has granted now."""

import pytest

from app.core.documents import Purpose, User
from resolvers.purposes import default_purposes, granted_purposes

pytestmark = pytest.mark.usefixtures("database")  # a User is built, which needs Beanie initialised

B, E = Purpose.BEHAVIORAL_TRACKING, Purpose.ESSENTIAL


def test_default_purposes_always_include_essential() -> None:
    assert default_purposes([]) == {E}
    assert default_purposes(["analytics"]) == {E, Purpose.ANALYTICS}


def test_granted_purposes_prefer_the_learners_choice_over_defaults() -> None:
    user = User(id="u", consents={"analytics": False, "behavioral_tracking": True})
    assert granted_purposes(user, {E, Purpose.ANALYTICS}) == {E, B}
    assert granted_purposes(None, {E, Purpose.ANALYTICS}) == {E, Purpose.ANALYTICS}
