"""Catalogs: the PO model (Babel), states, templates and merging."""

from .pofile import Catalog, load_catalog, read_po, save_catalog, write_po
from .states import State, state_of

__all__ = ["Catalog", "State", "load_catalog", "read_po", "save_catalog", "state_of", "write_po"]
