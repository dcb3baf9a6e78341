"""The registry: built-ins through the hook, plugins by name, duplicates and unknown names refused."""

import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core.settings import Settings
from plugins import hookspecs
from plugins.hookspecs import hookimpl
from plugins.registry import (
    BUILTIN_SOURCE,
    PluginError,
    Registry,
    UnknownRecommenderError,
    configured_recommenders,
    get_registry,
)
from recommenders.base import Recommendation, RecommendationRequest, Recommender, TrainingData
from recommenders.builtins import BUILTINS

README = Path(__file__).resolve().parents[2] / "README.md"


class Fake(Recommender):
    name = "fake"
    version = "7"
    description = "A fake for tests."

    def fit(self, data: TrainingData) -> None:
        pass

    def save(self, directory: Path) -> None:
        pass

    @classmethod
    def load(cls, directory: Path) -> "Fake":
        return cls()

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        return []


class Impostor(Fake):
    name = "popular"


def plugin_of(*classes: object) -> SimpleNamespace:
    @hookimpl
    def pathwise_recommenders() -> list[object]:
        return list(classes)

    return SimpleNamespace(pathwise_recommenders=pathwise_recommenders)


def test_builtins_are_discovered_through_the_hook() -> None:
    registry = Registry.build(entry_points=False)
    assert registry.available() == BUILTINS
    assert registry.manager.hook.pathwise_recommenders() == [list(BUILTINS.values())]
    assert {info.source for info in registry.describe()} == {BUILTIN_SOURCE}


def test_a_registered_plugin_is_available_and_described() -> None:
    registry = Registry.build(entry_points=False)
    registry.register(plugin_of(Fake), name="fake-plugin")
    assert registry.available()["fake"] is Fake
    info = next(info for info in registry.describe() if info.name == "fake")
    assert (info.version, info.description, info.source) == ("7", "A fake for tests.", "fake-plugin")
    assert [info.name for info in registry.describe()] == sorted(["fake", *BUILTINS])


def test_two_plugins_claiming_one_name_are_refused() -> None:
    registry = Registry.build(entry_points=False)
    registry.register(plugin_of(Impostor), name="impostor")
    with pytest.raises(PluginError, match=r"'popular' is provided by both .*impostor"):
        registry.available()


@pytest.mark.parametrize("returned", [object, Recommender, str])
def test_a_plugin_returning_a_non_recommender_is_refused(returned: object) -> None:
    registry = Registry.build(entry_points=False)
    registry.register(plugin_of(returned), name="broken")
    with pytest.raises(PluginError, match="broken"):
        registry.available()


def test_select_keeps_the_configured_order() -> None:
    registry = Registry.build(entry_points=False)
    assert registry.select(["popular", "cf"]) == [BUILTINS["popular"], BUILTINS["cf"]]


def test_an_unknown_configured_name_lists_the_installed_ones() -> None:
    registry = Registry.build(entry_points=False)
    with pytest.raises(UnknownRecommenderError) as raised:
        registry.select(["cf", "nope"])
    assert raised.value.unknown == ["nope"]
    assert raised.value.installed == sorted(BUILTINS)
    assert "nope" in str(raised.value)
    assert ", ".join(sorted(BUILTINS)) in str(raised.value)


def test_an_empty_configuration_is_refused() -> None:
    with pytest.raises(PluginError, match="no recommender configured"):
        Registry.build(entry_points=False).select([])


def test_the_default_setting_resolves_to_builtins() -> None:
    assert Settings().recommenders == ["hybrid", "content", "cf", "sequence", "popular"]
    assert configured_recommenders(Settings()) == [BUILTINS[name] for name in Settings().recommenders]
    with pytest.raises(UnknownRecommenderError):
        configured_recommenders(Settings(recommenders=["cf", "missing"]))


def test_the_registry_is_built_once_with_entry_points() -> None:
    assert get_registry() is get_registry()
    assert set(BUILTINS) <= set(get_registry().available())


def hooks() -> list[tuple[str, object]]:
    return [(name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("pathwise_")]


def test_there_is_a_hook() -> None:
    assert [name for name, _ in hooks()] == ["pathwise_recommenders"]


@pytest.mark.parametrize(("name", "hook"), hooks())
def test_every_hook_is_documented(name: str, hook: object) -> None:
    doc = inspect.getdoc(hook)
    assert doc, f"hook {name} has no docstring"
    assert len(doc.split()) >= 10, f"hook {name} is barely documented"


@pytest.mark.parametrize(("name", "hook"), hooks())
def test_the_readme_plugin_section_names_every_hook(name: str, hook: object) -> None:
    text = README.read_text(encoding="utf-8")
    assert "## Writing a recommender plugin" in text
    section = text.split("## Writing a recommender plugin", 1)[1].split("\n## ", 1)[0]
    assert f"`{name}(" in section, f"the README does not document hook {name}"
