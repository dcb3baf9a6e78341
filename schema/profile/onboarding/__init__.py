"""Onboarding, progressive profiling questions, and the catalog taxonomy they name."""
