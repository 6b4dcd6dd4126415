"""Every table of the application, imported so that SQLModel.metadata (and Alembic) knows them."""

from programs.store import CatalogVersion, ProgramRecord, ProgramRelationRow, ProgramSourceRow

__all__ = ["CatalogVersion", "ProgramRecord", "ProgramRelationRow", "ProgramSourceRow"]
