"""Every table of the application, imported so that SQLModel.metadata (and Alembic) knows them."""

from matcher.feedback import FeedbackEvent
from programs.store import CatalogVersion, ProgramRecord, ProgramRelationRow, ProgramSourceRow
from web.site.cases import OwnerCase

__all__ = ["CatalogVersion", "FeedbackEvent", "OwnerCase", "ProgramRecord", "ProgramRelationRow", "ProgramSourceRow"]
