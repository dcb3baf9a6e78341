"""Pathwise: the ground floor (`app.core`) and, above every other package, the composition root: the app
factory, the CLI and the file importers."""

__version__ = "0.1.0"
