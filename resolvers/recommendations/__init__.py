"""Use cases of recommendations: serving with a time budget and fallback (`service`) composed from models loaded
from artifacts, the served catalog, the per-learner cache and background refresh; learners as recommenders see
them; training."""
