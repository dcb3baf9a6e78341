"""`pathwise schema`: the GraphQL schema's SDL, as the server serves it (the text of schema/schema.graphql)."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import err
from app.core.settings import Settings
from schema.schema import build_schema


def schema_sdl() -> str:
    """The served schema in SDL, ending with a newline (as `make schema` writes schema/schema.graphql)."""
    return build_schema(Settings()).as_str() + "\n"


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the SDL to this file instead.")] = None,
) -> None:
    """Print the GraphQL schema (SDL), for code generators and reviews."""
    text = schema_sdl()
    if output is None:
        print(text, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {output}: {error.strerror or error}", soft_wrap=True)
        raise typer.Exit(2) from error
    err.print(f"schema written to {output}", soft_wrap=True)
