"""Versioned artifacts on disk: what `pathwise train` writes and the server loads.

Layout under the root (`<data_dir>/artifacts`)::

    <name>/<version>/manifest.json   name, recommender version, config hash, trained-at, data counts
    <name>/<version>/...             whatever the recommender's `save` wrote
    <name>/CURRENT                   the version being served (replaced atomically)

A version is published by writing into a hidden temporary directory, renaming it into place, then
replacing CURRENT: a reader sees the old version or the new one, never half of one. The newest `keep`
versions are kept; older ones are removed. Training and serving both name and stamp artifacts through the
helpers here (`artifact_root`, `training_config`, `expected_hash`), so neither imports the other.
"""

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recommenders.base import Recommender

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
FORMAT = "pathwise.artifact"
KEEP = 3


def config_hash(config: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able configuration."""
    encoded = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:12]


def artifact_root(data_dir: Path) -> Path:
    """Where the artifacts of a data directory live."""
    return data_dir / "artifacts"


def training_config(recommender: Recommender) -> dict[str, Any]:
    """What an artifact of `recommender` is stamped with (its hash must match for the artifact to be served)."""
    return {"recommender": recommender.name, "version": recommender.version, **recommender.config()}


def expected_hash(cls: type[Recommender]) -> str:
    """The configuration hash artifacts of `cls` must carry to be served."""
    return config_hash(training_config(cls()))


def is_composite(cls: type[Recommender]) -> bool:
    """Whether `cls` is composed from other recommenders at serving time (it has `compose`), with no artifact."""
    return callable(getattr(cls, "compose", None))


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str  # the artifact version, e.g. "20261127T101500123456Z-3f2a9c1b7d20"
    recommender_version: str
    config_hash: str
    trained_at: datetime
    counts: dict[str, int] = field(default_factory=dict)  # items, interactions, learners, ...
    format: str = FORMAT

    def to_json(self) -> str:
        data = asdict(self)
        data["trained_at"] = self.trained_at.isoformat()
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a Pathwise artifact manifest")
        data["trained_at"] = datetime.fromisoformat(data["trained_at"])
        return cls(**data)


class ArtifactStore:
    """Versioned artifact directories per name under `root`."""

    def __init__(self, root: Path, keep: int = KEEP) -> None:
        self.root = root
        self.keep = keep

    def publish(self, name: str, recommender_version: str, config: Mapping[str, Any],
                write: Callable[[Path], None], counts: Mapping[str, int] | None = None) -> Manifest:
        """Run `write(directory)`, stamp it with a manifest and make it the current version of `name`."""
        now = datetime.now(UTC)
        digest = config_hash(config)
        manifest = Manifest(name, f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{digest}", recommender_version, digest, now,
                            dict(counts or {}))
        home = self.root / name
        staging = home / f".staging-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        try:
            write(staging)
            (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
            staging.rename(home / manifest.version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._point(home, manifest.version)
        self._prune(home)
        return manifest

    def current(self, name: str) -> Manifest | None:
        """The manifest of the version being served, or None when `name` was never trained."""
        pointer = self.root / name / CURRENT
        try:
            version = pointer.read_text(encoding="utf-8").strip()
            return Manifest.from_json((self.root / name / version / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def directory(self, manifest: Manifest) -> Path:
        return self.root / manifest.name / manifest.version

    def stamp(self, name: str) -> tuple[int, int] | None:
        """A cheap change marker for `name` (CURRENT's mtime and inode), for polling."""
        try:
            stat = (self.root / name / CURRENT).stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_ino

    def _point(self, home: Path, version: str) -> None:
        temporary = home / f".{CURRENT}-{uuid.uuid4().hex}"
        temporary.write_text(version, encoding="utf-8")
        os.replace(temporary, home / CURRENT)

    def _prune(self, home: Path) -> None:
        versions = sorted(p for p in home.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in versions[:-self.keep] if self.keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
