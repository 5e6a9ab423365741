"""Who may do what in review: see :mod:`pipeline.catalog.roles`."""

from ..catalog.roles import RoleRefused, Roles, display_name, name_key, roles_for, same_person

__all__ = ["RoleRefused", "Roles", "display_name", "name_key", "roles_for", "same_person"]
