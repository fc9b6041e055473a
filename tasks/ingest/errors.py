"""Errors raised while reading partner files: each names the file and what was wrong."""


class IngestError(ValueError):
    """A file that cannot be ingested; nothing from it is stored."""
