"""Offline evaluation of recommenders: datasets, split protocols, ranking metrics and the runner."""
