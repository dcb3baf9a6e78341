"""Use cases of events: validating, storing and applying tracked events, and the ingestion queue that batches them."""
