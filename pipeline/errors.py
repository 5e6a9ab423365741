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


class WriteError(PipelineError):
    """A file that could not be written (full disk, read-only, permissions);
    the file was left as it was. ``reason`` is the system's word for why."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class UnsafePathError(PipelineError):
    """A path we refuse to read or write: it leads outside the workspace
    (a link, ``..``, an absolute header), or it is not a regular file (a
    directory, a FIFO, a device), or it is a link where none may be."""


class WorkspaceBusy(PipelineError):
    """Another command holds the workspace lock."""


class NoModelError(ModelError):
    """No zh→en model is installed."""
