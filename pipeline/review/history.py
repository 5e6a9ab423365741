"""The per-entry history of a document: see :mod:`pipeline.catalog.history`.

``read_history(ws, doc)`` lists the committed decisions; ``post_edits``
pairs each machine draft with what a person made of it.
"""

from ..catalog.history import (
    ACTIONS,
    MACHINE,
    HistoryRecord,
    PostEdit,
    draft_signature,
    history_path,
    last_translator,
    pending,
    post_edits,
    read_history,
    reconcile,
    record_for,
    transaction,
)

__all__ = [
    "ACTIONS",
    "MACHINE",
    "HistoryRecord",
    "PostEdit",
    "draft_signature",
    "history_path",
    "last_translator",
    "pending",
    "post_edits",
    "read_history",
    "reconcile",
    "record_for",
    "transaction",
]
