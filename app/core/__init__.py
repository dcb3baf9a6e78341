"""The ground floor: settings, documents, the store, encryption, tokens, time, metrics and HTTP plumbing. It
imports no other project package."""
