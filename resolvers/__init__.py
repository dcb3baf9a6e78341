"""Use cases: plain async functions over documents. They know nothing of GraphQL."""
