"""Every model, imported in one place so Alembic sees all tables."""

from .audit import AuditLog
from .auth.models import User
from .lapsus.models import SpecialReport
from .meetings.models import AgendaItem, Attendance, FollowUp, Meeting, Participant
from .notifications.models import Notification
from .regions.models import Office, Region, RegionBoundary
from .reports.models import DailyReport, IssueCategory, ReportEvent, ReportItem
from .scoring.models import IndexDefinition, PublishedScore
from .surveys.models import Answer, Dimension, Question, Response, Round, Survey

__all__ = [
    "Answer",
    "Dimension",
    "Question",
    "Response",
    "Round",
    "Survey",
    "AgendaItem",
    "Attendance",
    "AuditLog",
    "FollowUp",
    "IndexDefinition",
    "Meeting",
    "Notification",
    "Participant",
    "PublishedScore",
    "DailyReport",
    "IssueCategory",
    "Office",
    "Region",
    "RegionBoundary",
    "ReportEvent",
    "ReportItem",
    "SpecialReport",
    "User",
]
