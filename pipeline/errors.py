"""Errors a user can act on. The CLI shows each as one line and exits 1;
anything else is a bug and keeps its traceback."""

from __future__ import annotations


class PipelineError(Exception):
    """Bad input or a missing prerequisite, explained in one line."""


class SourceError(PipelineError):
    """A source document that cannot be read."""


class CatalogError(PipelineError):
    """A PO/POT file that cannot be read; the message says ``file:line``."""


class ModelError(PipelineError):
    """A translation model that is missing, corrupt or of the wrong language pair."""


class WorkspaceBusy(PipelineError):
    """Another command holds the workspace lock."""


class NoModelError(ModelError):
    """No zh→en model is installed."""
