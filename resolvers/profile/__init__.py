"""Use cases of the learner's profile: declared fields, onboarding, questions, preferences, connected accounts, and
insights folded from events."""
