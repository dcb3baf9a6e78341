"""Use cases of practice: knowledge tracing, the review queue, placement tests, next exercises, learning paths and
the practice catalog."""
