"""Use cases of privacy: consents per purpose, purges, export and erasure, the privacy notice and the audit log."""
