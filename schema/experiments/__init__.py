"""A/B experiments in GraphQL: their queries, mutations and types."""
