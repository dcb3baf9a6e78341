"""Who takes part in which experiment, and as which variant: deterministic, sticky and stored nowhere.

A learner's position in an experiment is `u = int(sha256(f"{experiment_id}:{user_id}")[:15 hex], 16) / 16**15`,
uniform on [0, 1); their variant is the first whose cumulative share exceeds `u`. The same learner always gets the
same variant (no stored assignment), and the experiment id salts the hash, so assignments in two experiments are
independent. A learner is eligible only while personalization is allowed for them (the switch and the
`personalization` consent, stated or by default) and they match the population; a learner without a document is
not eligible (nothing says what they allowed). Of the running experiments, in (started_at, id) order, the first
the learner is eligible for applies. In an interleaving experiment every eligible learner gets both variants'
lists merged (team draft), whatever the shares.

Serving reads running experiments from `RunningExperiments`, an in-memory copy refreshed at most every
`REFRESH_SECONDS`; a change made through this process invalidates it at once. While the store cannot be read,
the last copy is used (so answers cached before an outage are still served).
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pymongo.errors import PyMongoError

from app.core.documents import Experiment, ExperimentKind, ExperimentStatus, Population, Purpose, User, Variant
from app.core.timestamps import as_utc
from resolvers.recommendations.learners import interests_of, personalizable, segments_of

HASH_HEX_DIGITS = 15
_SCALE = 16 ** HASH_HEX_DIGITS
REFRESH_SECONDS = 5.0
log = logging.getLogger("pathwise.experiments")


INTERLEAVED = "interleaved"
"""The `variant` a list of an interleaving experiment names (each of its items names the variant that placed it)."""


@dataclass(frozen=True)
class Assignment:
    """The experiment a learner takes part in now, and their variant of it; in an interleaving experiment
    `variant` is the control (ranker A) and `rival` ranker B, whose lists are merged for every request."""

    experiment_id: str
    variant: Variant
    rival: Variant | None = None

    @property
    def label(self) -> str:
        """What the list names as its variant."""
        return INTERLEAVED if self.rival is not None else self.variant.name


def position(experiment_id: str, user_id: str) -> float:
    """The learner's place in the experiment's traffic, uniform on [0, 1)."""
    digest = hashlib.sha256(f"{experiment_id}:{user_id}".encode()).hexdigest()
    return float(int(digest[:HASH_HEX_DIGITS], 16) / _SCALE)


def variant_for(experiment: Experiment, user_id: str) -> Variant:
    """The learner's variant: the first whose cumulative share exceeds their position (the last one when the
    shares fall a rounding error short of 1)."""
    place, cumulative = position(experiment.id, user_id), 0.0
    for variant in experiment.variants:
        cumulative += variant.share
        if place < cumulative:
            return variant
    return experiment.variants[-1]


def in_population(population: Population, user: User, started: datetime, segments: Mapping[str, str]) -> bool:
    """Whether the learner is of the population: new (account created at or after the start) or returning as
    asked, and every segment pair the population names among theirs (case aside)."""
    if population.new_learners is not None and (as_utc(user.created_at) >= as_utc(started)) != population.new_learners:
        return False
    return all(segments.get(name, "").casefold() == value.casefold() for name, value in
               (population.segment or {}).items())


def eligible(experiment: Experiment, user: User | None, defaults: set[Purpose], now: datetime,
             half_life_days: float) -> bool:
    """Whether the learner takes part: personalization allowed, and of the population."""
    if user is None or not personalizable(user, defaults):
        return False
    segments = segments_of(user, interests_of(user, now, half_life_days)) if experiment.population.segment else {}
    return in_population(experiment.population, user, experiment.started(), segments)


def assignment_for(running: Iterable[Experiment], user: User | None, defaults: set[Purpose], now: datetime,
                   half_life_days: float) -> Assignment | None:
    """The first of the `running` experiments (in their order) the learner is eligible for, with their variant;
    None when there is none."""
    for experiment in running:
        if user is None or not eligible(experiment, user, defaults, now, half_life_days):
            continue
        if experiment.kind == ExperimentKind.INTERLEAVING and len(experiment.variants) == 2:
            return Assignment(experiment.id, experiment.variants[0], experiment.variants[1])
        return Assignment(experiment.id, variant_for(experiment, user.id))
    return None


class RunningExperiments:
    """The running experiments in (started_at, id) order, read from the store at most every `seconds`."""

    def __init__(self, seconds: float = REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self._clock = seconds, clock
        self._experiments: tuple[Experiment, ...] = ()
        self._read_at: float | None = None
        self._generation = 0

    async def current(self) -> tuple[Experiment, ...]:
        if self._read_at is not None and self._clock() - self._read_at < self.seconds:
            return self._experiments
        generation, read_at = self._generation, self._clock()
        try:
            found = await Experiment.find({"status": ExperimentStatus.RUNNING.value}).to_list()
        except PyMongoError:  # the store is away: cached answers may still be served, with what was known
            log.warning("running experiments could not be read: the last %d known are used", len(self._experiments))
            self._read_at = read_at
            return self._experiments
        ordered = tuple(sorted(found, key=lambda experiment: (as_utc(experiment.started()), experiment.id)))
        if generation == self._generation:  # not invalidated while reading: keep it
            self._experiments, self._read_at = ordered, read_at
        return ordered

    def invalidate(self) -> None:
        """Read the store again at the next `current()` (an experiment was started, paused or stopped)."""
        self._read_at = None
        self._generation += 1


RUNNING_EXPERIMENTS = RunningExperiments()  # this process's copy, shared by serving and the definitions
