"""What every resolver sees of the request: who calls, and the request's DataLoaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.settings import Settings
from app.tokens import Principal
from resolvers.audit import AuditLog
from resolvers.dataloaders import Loaders
from resolvers.ingestion import EventWriter
from resolvers.recommendation_service import RecommendationService


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


Info = StrawberryInfo[Context, None]
