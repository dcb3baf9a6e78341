"""Field-level encryption at rest: the keyring, learners' data keys, and sealed document fields."""
