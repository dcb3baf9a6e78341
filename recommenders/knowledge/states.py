"""What a knowledge model remembers about one learner: per-skill practice counts, the latest responses and,
for BKT, the belief that each skill is mastered. Plain data, serialisable to JSON for serving."""

from dataclasses import dataclass, field
from typing import Any

RECENT = 5  # responses kept per skill and overall


@dataclass
class LearnerState:
    """One learner's practice history, summarised; `record` adds a response."""

    successes: dict[int, int] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)
    recent: dict[int, list[int]] = field(default_factory=dict)  # last RECENT outcomes per skill, oldest first
    last_seen: dict[int, int] = field(default_factory=dict)  # response number of each skill's latest practice
    beliefs: dict[int, float] = field(default_factory=dict)  # P(mastered) per skill (BKT)
    window: list[int] = field(default_factory=list)  # last RECENT outcomes on any skill
    responses: int = 0
    total_successes: int = 0
    last_skill: int | None = None

    def attempts(self, skill: int) -> int:
        return self.successes.get(skill, 0) + self.failures.get(skill, 0)

    def record(self, skill: int, correct: int) -> None:
        """Add one response (1 correct, 0 not) on `skill`."""
        counts = self.successes if correct else self.failures
        counts[skill] = counts.get(skill, 0) + 1
        recent = self.recent.setdefault(skill, [])
        recent.append(correct)
        if len(recent) > RECENT:
            del recent[0]
        self.window.append(correct)
        if len(self.window) > RECENT:
            del self.window[0]
        self.responses += 1
        self.total_successes += correct
        self.last_seen[skill] = self.responses
        self.last_skill = skill

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (skill ids become string keys)."""
        maps = ("successes", "failures", "recent", "last_seen", "beliefs")
        data: dict[str, Any] = {name: {str(k): v for k, v in getattr(self, name).items()} for name in maps}
        data.update(window=list(self.window), responses=self.responses, total_successes=self.total_successes,
                    last_skill=self.last_skill)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LearnerState":
        def keyed(name: str) -> dict[int, Any]:
            return {int(k): v for k, v in data.get(name, {}).items()}

        return cls(keyed("successes"), keyed("failures"), keyed("recent"), keyed("last_seen"), keyed("beliefs"),
                   list(data.get("window", [])), int(data.get("responses", 0)),
                   int(data.get("total_successes", 0)), data.get("last_skill"))
