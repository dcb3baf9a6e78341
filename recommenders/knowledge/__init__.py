"""Knowledge tracing: per learner and skill, the probability of answering correctly next, from quiz answers."""

from recommenders.knowledge.bkt import BktModel
from recommenders.knowledge.models import KnowledgeModel, LogisticKnowledge, PfaCounts
from recommenders.knowledge.sequences import LearnerSequence, SequenceFormatError, read_sequences
from recommenders.knowledge.serving import load_model
from recommenders.knowledge.states import LearnerState

__all__ = ["BktModel", "KnowledgeModel", "LearnerSequence", "LearnerState", "LogisticKnowledge", "PfaCounts",
           "SequenceFormatError", "load_model", "read_sequences"]
