"""`pathwise schema` prints the committed contract: its output is schema/schema.graphql byte for byte, so a
schema change without `make schema` (or a hand edit of the file) fails here as well as in test_exported."""

from pathlib import Path

from typer.testing import CliRunner

from app.cli import build_cli
from app.cli.schema import schema_sdl
from tests.app.cli.test_cli import pathwise
from tests.conftest import REPO

COMMITTED = REPO / "schema" / "schema.graphql"


def test_schema_prints_the_committed_sdl() -> None:
    result = pathwise("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == COMMITTED.read_text(encoding="utf-8"), (
        "`pathwise schema` differs from schema/schema.graphql: run `make schema` and commit the file")


def test_output_writes_the_sdl_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = CliRunner().invoke(build_cli(), ["schema", "--output", str(target)])
    assert result.exit_code == 0, result.output
    written = target.read_text(encoding="utf-8")
    assert written == schema_sdl() and "type Query {" in written and written.endswith("}\n")
    assert f"schema written to {target}" in result.output


def test_an_unwritable_output_ends_with_a_message(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "schema.graphql"
    result = CliRunner().invoke(build_cli(), ["schema", "--output", str(target)])
    assert result.exit_code == 2
    assert f"cannot write {target}" in result.output and "Traceback" not in result.output
