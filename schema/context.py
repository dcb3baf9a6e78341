"""What every resolver sees of the request: who calls, and the request's DataLoaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.settings import Settings
from app.tokens import Principal
from resolvers.dataloaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    principal: Principal | None = None
    auth_problem: str | None = None
    loaders: Loaders = field(default_factory=Loaders)


Info = StrawberryInfo[Context, None]
