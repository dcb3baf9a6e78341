"""The skill graph and the item bank over GraphQL: partners import them, everyone reads skills."""
