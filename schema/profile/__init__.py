"""The living profile on the API: a learner's insights and recent activity."""
