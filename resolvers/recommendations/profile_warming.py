"""Learners' profile texts embedded ahead of their requests (the first request would otherwise embed its own):
at start-up, up to the profile cache's size, and each one as soon as it is written."""

import logging
from collections.abc import Callable

from app.core.documents import User
from app.core.encryption.sealed_fields import iterate_opened
from app.core.settings import Settings
from app.core.timestamps import utcnow
from recommenders.base import Recommender
from recommenders.content import PROFILE_VECTORS, Content, profile_text
from resolvers.purposes import default_purposes
from resolvers.recommendations.background import BackgroundWork
from resolvers.recommendations.learners import learner_of

log = logging.getLogger("pathwise.recommendations")


class ProfileWarmer:
    """Embeds profile texts while `content()` serves a `Content` model (nothing to do otherwise)."""

    def __init__(self, settings: Settings, content: Callable[[], Recommender | None],
                 background: BackgroundWork) -> None:
        self.settings, self.content, self.background = settings, content, background

    async def warm(self) -> int:
        """Embed learners' profile texts (at most the profile cache's size); how many were embedded."""
        if not isinstance(self.content(), Content):
            return 0
        now, defaults = utcnow(), default_purposes(self.settings.default_consents)
        texts = []
        async for user in iterate_opened(User, {}, limit=PROFILE_VECTORS.size):  # profile texts are sealed
            learner = learner_of(user, [], [], now, self.settings.interest_half_life_days, defaults)
            texts.append(profile_text(learner))
        try:
            embedded = await self.background.run(PROFILE_VECTORS.warm, texts)
        except Exception:  # warming is an optimisation: a failure only means cold first requests
            log.exception("warming profile vectors failed")
            return 0
        log.info("embedded %d learner profiles ahead of their requests", embedded)
        return embedded

    def profile_written(self, user: User) -> None:
        """A learner's profile was just written: embed its new text now, ahead of their next request."""
        if not isinstance(self.content(), Content):
            return
        learner = learner_of(user, [], [], utcnow(), self.settings.interest_half_life_days,
                             default_purposes(self.settings.default_consents))
        text = profile_text(learner)
        if text:
            PROFILE_VECTORS.embed_later(text)
