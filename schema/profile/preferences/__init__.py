"""Explicit preferences and feedback on recommendations."""
