"""A learner's mastery per skill (knowledge tracing) and their difficulty feedback on courses."""
