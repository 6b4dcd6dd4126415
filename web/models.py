"""Every table of the application, imported so that SQLModel.metadata (and Alembic) knows them."""

from matcher.feedback import FeedbackEvent
from programs.store import CatalogVersion, ProgramRecord, ProgramRelationRow, ProgramSourceRow
from web.console.models import AuditEntry, Client, ConsoleAccount, Consultation, LoginAttempt, Outcome
from web.ops.models import AlertEvent, AlertSubscription
from web.partners.models import Partner, PartnerKey, PartnerUsage
from web.site.cases import OwnerCase

__all__ = [
    "AlertEvent",
    "AlertSubscription",
    "AuditEntry",
    "CatalogVersion",
    "Client",
    "ConsoleAccount",
    "Consultation",
    "FeedbackEvent",
    "LoginAttempt",
    "Outcome",
    "OwnerCase",
    "Partner",
    "PartnerKey",
    "PartnerUsage",
    "ProgramRecord",
    "ProgramRelationRow",
    "ProgramSourceRow",
]
