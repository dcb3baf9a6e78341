"""Adaptive practice over GraphQL: the review queue and placement tests."""
