"""The `pathwise` command line: every command, registered from one list (no import side effects)."""

from collections.abc import Callable
from typing import Any

import typer

from app.cli.analytics import analytics_cli
from app.cli.common import command_group
from app.cli.data import demo, import_courses
from app.cli.evaluate import evaluate_command
from app.cli.experiments import experiments_cli
from app.cli.keys import rotate_keys
from app.cli.practice import import_exercises, import_skills
from app.cli.schema import schema
from app.cli.serve import serve
from app.cli.tokens import token
from app.cli.train import train

COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("serve", serve),
    ("token", token),
    ("import-courses", import_courses),
    ("import-skills", import_skills),
    ("import-exercises", import_exercises),
    ("demo", demo),
    ("train", train),
    ("evaluate", evaluate_command),
    ("rotate-keys", rotate_keys),
    ("schema", schema),
)
# Command groups (`pathwise experiments create ...`): each a function building its typer sub-app.
GROUPS: tuple[tuple[str, Callable[[], typer.Typer]], ...] = (
    ("experiments", experiments_cli),
    ("analytics", analytics_cli),
)


def build_cli() -> typer.Typer:
    cli = command_group("Pathwise: personalization API for learning platforms.", COMMANDS)
    for name, group in GROUPS:
        cli.add_typer(group(), name=name)
    return cli


def main() -> None:
    build_cli()()
