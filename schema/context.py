"""What every resolver sees of the request: who calls, and the request's DataLoaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.settings import Settings
from app.tokens import Principal
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


Info = StrawberryInfo[Context, None]
