"""Recommenders: plain Python objects fitted offline and served from artifacts. No GraphQL, HTTP or Beanie."""
