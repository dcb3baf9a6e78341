"""Experiments: A/B tests of recommendation strategies, their assignment and their statistics."""
