"""The GraphQL schema: one folder per domain; the root schema only combines them."""
