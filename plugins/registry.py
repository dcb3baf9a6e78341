"""The registry of recommenders: built once from the built-in plugin and the installed entry points.

Configuration names the recommenders to serve (`PATHWISE_RECOMMENDERS`): the first is what `auto` means, the
others can be asked for by name; a recommender that fails, is late or has nothing is replaced by `popular`
(the only fallback). An unknown name, or two plugins claiming one name, stops start-up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import pluggy

from app.core.settings import Settings
from plugins import builtin, hookspecs
from recommenders.base import Recommender

BUILTIN_PLUGIN = "pathwise.builtin"
BUILTIN_SOURCE = "pathwise (built-in)"


class PluginError(Exception):
    """A plugin broke the contract: a duplicate name, or something that is not a named Recommender."""


class UnknownRecommenderError(PluginError):
    """Configuration names a recommender that no installed plugin provides."""

    def __init__(self, unknown: Sequence[str], installed: Sequence[str]) -> None:
        self.unknown = list(unknown)
        self.installed = list(installed)
        super().__init__(
            f"unknown recommender(s) {', '.join(self.unknown)}; installed: {', '.join(self.installed) or 'none'}"
        )


@dataclass(frozen=True)
class RecommenderInfo:
    """One installed recommender, for the `recommenders` listing."""

    name: str
    version: str
    description: str
    source: str  # the distribution (name and version) or plugin that provides it


@dataclass(frozen=True)
class _Provided:
    cls: type[Recommender]
    source: str


class Registry:
    """A pluggy plugin manager with the hookspecs, the built-in plugin and any further plugins."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager

    @classmethod
    def build(cls, *, entry_points: bool = True) -> "Registry":
        """The built-in plugin, then (unless `entry_points` is false) every `pathwise.recommenders` entry point."""
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        manager.register(builtin, name=BUILTIN_PLUGIN)
        if entry_points:
            manager.load_setuptools_entrypoints(hookspecs.ENTRY_POINT_GROUP)
        return cls(manager)

    def register(self, plugin: ModuleType | object, name: str | None = None) -> None:
        """Register a plugin programmatically (tests, embedding applications)."""
        self.manager.register(plugin, name=name)

    def available(self) -> dict[str, type[Recommender]]:
        """Every installed recommender by name; `PluginError` if two plugins claim one name."""
        return {name: provided.cls for name, provided in self._provided().items()}

    def describe(self) -> list[RecommenderInfo]:
        """Name, version, description and source of every installed recommender, sorted by name."""
        return [
            RecommenderInfo(name, provided.cls.version, provided.cls.description, provided.source)
            for name, provided in sorted(self._provided().items())
        ]

    def select(self, names: Sequence[str]) -> list[type[Recommender]]:
        """The configured recommenders in order; `UnknownRecommenderError` listing the installed ones."""
        available = self.available()
        unknown = [name for name in names if name not in available]
        if unknown:
            raise UnknownRecommenderError(unknown, sorted(available))
        if not names:
            raise PluginError("no recommender configured; installed: " + ", ".join(sorted(available)))
        return [available[name] for name in names]

    def _provided(self) -> dict[str, _Provided]:
        provided: dict[str, _Provided] = {}
        for impl in self.manager.hook.pathwise_recommenders.get_hookimpls():
            source = self._source(impl.plugin, impl.plugin_name)
            for returned in _returned(impl.function(), source):
                cls = _checked(returned, source)
                name = cls.name
                if name in provided and provided[name].cls is not cls:
                    raise PluginError(f"recommender {name!r} is provided by both {provided[name].source} and {source}")
                provided.setdefault(name, _Provided(cls, source))
        return provided

    def _source(self, plugin: object, plugin_name: str) -> str:
        if plugin_name == BUILTIN_PLUGIN:
            return BUILTIN_SOURCE
        for registered, dist in self.manager.list_plugin_distinfo():
            if registered is plugin:
                return f"{dist.project_name} {dist.version}"
        return plugin_name


def _returned(result: object, source: str) -> list[object]:
    if not isinstance(result, list | tuple):
        raise PluginError(f"{source} returned {result!r} from pathwise_recommenders, not a list of classes")
    return list(result)


def _checked(cls: object, source: str) -> type[Recommender]:
    if not (isinstance(cls, type) and issubclass(cls, Recommender)):
        raise PluginError(f"{source} returned {cls!r}, which is not a Recommender subclass")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise PluginError(f"{source} returned {cls.__qualname__} without a `name`")
    return cls


@lru_cache
def get_registry() -> Registry:
    """The process-wide registry, built once."""
    return Registry.build()


def configured_recommenders(settings: Settings, registry: Registry | None = None) -> list[type[Recommender]]:
    """`settings.recommenders` resolved in order (the first is `auto`); raises on an unknown name (start-up)."""
    return (registry or get_registry()).select(settings.recommenders)
