"""`pathwise token`: a bearer token for a user, signed with the server's key."""

from typing import Annotated

import typer

from app.cli.common import DataDir, err, parse_ttl, settings_for
from app.core.tokens import InvalidTokenError, Role, issue_token


def token(
    user: Annotated[str, typer.Argument(help="The user id (the token's `sub`).")],
    role: Annotated[list[Role] | None, typer.Option(help="learner, partner or admin; repeatable.")] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 30m, 12h, 7d.")] = "1d",
    data_dir: DataDir = None,
) -> None:
    """Print a bearer token, alone on the last line."""
    settings = settings_for(data_dir)
    try:
        value = issue_token(settings, user, role or [Role.LEARNER], parse_ttl(ttl))
    except InvalidTokenError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    err.print(f"token for {user} ({', '.join(r.value for r in role or [Role.LEARNER])}), valid {ttl}:")
    print(value)


