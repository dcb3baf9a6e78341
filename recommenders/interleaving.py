"""Team-draft interleaving (Radlinski, Kurup and Joachims, "How does clickthrough data reflect retrieval quality?",
CIKM 2008): two rankers' lists merged into one, each item labelled with the team (ranker) that contributed it.

`team_draft(a, b, k, seed)` picks items one at a time until `k` are picked or both lists are used up:

- the team with fewer picks so far picks next;
- when the counts are equal (the start of a round), a coin decides which team picks first in this round: it is
  flipped once per round, A first when `random.Random(seed).random() < 0.5` for that round's draw;
- a team picks its highest-ranked item that is not already in the merged list;
- a team with nothing left to pick passes, and the other team continues alone.

The merged list holds no duplicates (an item ranked by both teams goes to whichever picks it first) and has
min(k, |A ∪ B|) items; while both teams have items left, after every pick the two teams' counts differ by at most
one. The same seed gives the same list. Credit for a click (or an enrolment) goes to the team of the item: over
many requests the coin makes both teams equally likely to hold each position, so position bias cancels, and the
ranker whose items earn more credit is preferred (resolvers/experiments/preference.py tests this per learner).
Pure: no I/O.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

CONTROL, TREATMENT = 0, 1
"""Team numbers: ranker A (the control) and ranker B."""


@dataclass(frozen=True)
class Drafted:
    """One item of a merged list and the team that picked it: 0 for ranker A (the control), 1 for ranker B."""

    item_id: str
    team: int


class _Team:
    """One ranker's list and a cursor on its highest-ranked item not yet picked."""

    def __init__(self, ranked: Sequence[str]) -> None:
        self._ranked = ranked
        self._cursor = 0
        self.picks = 0

    def next_item(self, picked: set[str]) -> str | None:
        """The highest-ranked item not in `picked`, or None when every item is."""
        while self._cursor < len(self._ranked) and self._ranked[self._cursor] in picked:
            self._cursor += 1
        return self._ranked[self._cursor] if self._cursor < len(self._ranked) else None


def team_draft(a: Sequence[str], b: Sequence[str], k: int, seed: int) -> list[Drafted]:
    """The first `k` items of the team-draft interleaving of rankings `a` (team 0) and `b` (team 1) under `seed`."""
    teams = (_Team(a), _Team(b))
    coin = random.Random(seed)
    picked: set[str] = set()
    merged: list[Drafted] = []
    while len(merged) < k:
        if teams[CONTROL].picks == teams[TREATMENT].picks:
            team = CONTROL if coin.random() < 0.5 else TREATMENT
        else:
            team = CONTROL if teams[CONTROL].picks < teams[TREATMENT].picks else TREATMENT
        item = teams[team].next_item(picked)
        if item is None:
            team = 1 - team
            item = teams[team].next_item(picked)
            if item is None:
                break
        picked.add(item)
        teams[team].picks += 1
        merged.append(Drafted(item, team))
    return merged
