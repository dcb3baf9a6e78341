"""Synthetic learners for the knowledge tracing tests: each skill is mastered after three correct answers."""

import random

from recommenders.knowledge.sequences import LearnerSequence

SKILLS = (1, 2, 3)


def learners(count: int, seed: int = 7) -> list[LearnerSequence]:
    """Learners answer right with probability 0.25 until they have 3 right answers on a skill, then 0.9."""
    chance = random.Random(seed)
    sequences = []
    for _ in range(count):
        skills = [chance.choice(SKILLS) for _ in range(chance.randint(8, 30))]
        wins: dict[int, int] = {}
        correct = []
        for skill in skills:
            outcome = int(chance.random() < (0.9 if wins.get(skill, 0) >= 3 else 0.25))
            wins[skill] = wins.get(skill, 0) + outcome
            correct.append(outcome)
        sequences.append(LearnerSequence(tuple(skills), tuple(correct)))
    return sequences


def as_text(sequences: list[LearnerSequence]) -> str:
    """The 3-lines-per-learner format."""
    return "".join(f"{len(s)}\n{','.join(map(str, s.skills))}\n{','.join(map(str, s.correct))}\n" for s in sequences)


def true_probabilities(sequences: list[LearnerSequence]) -> list[float]:
    """The probabilities `learners` drew each answer with (the best any model can predict)."""
    probabilities = []
    for sequence in sequences:
        wins: dict[int, int] = {}
        for skill, outcome in zip(sequence.skills, sequence.correct, strict=True):
            probabilities.append(0.9 if wins.get(skill, 0) >= 3 else 0.25)
            wins[skill] = wins.get(skill, 0) + outcome
    return probabilities
