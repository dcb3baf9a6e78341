"""What every resolver sees of the request: who calls, and the request's DataLoaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.core.settings import Settings
from app.core.tokens import Principal
from recommenders.knowledge.loading import TrackerLoader
from resolvers.events.ingestion import EventWriter
from resolvers.practice.knowledge import trackers_for
from resolvers.privacy.audit import AuditLog
from resolvers.recommendations.recommend import Ask, RecommendationList
from resolvers.recommendations.service import RecommendationService
from schema.dataloaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    principal: Principal | None = None
    auth_problem: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    event_writer: EventWriter | None = None
    recommendations: RecommendationService | None = None
    audit_log: AuditLog | None = None  # the app's (schema/http.py); None in contexts tests build by hand
    audited: set[tuple[str, str]] = field(default_factory=set)  # (operation, learner) recorded in this request
    answered: list[tuple[str, Ask, RecommendationList]] = field(default_factory=list)  # recommendation lists shown

    _trackers: TrackerLoader | None = None

    @property
    def trackers(self) -> TrackerLoader:
        """The app's knowledge model: the recommendation service's (a context made without one, by a test, gets
        a loader of its own)."""
        if self.recommendations is not None:
            return self.recommendations.knowledge
        if self._trackers is None:
            self._trackers = trackers_for(self.settings)
        return self._trackers


Info = StrawberryInfo[Context, None]
