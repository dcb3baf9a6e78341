"""Pathwise core: settings, storage, the embedded store, auth, the app factory and the CLI."""

__version__ = "0.1.0"
