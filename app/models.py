"""Every model, imported in one place so Alembic sees all tables."""

from .audit import AuditLog
from .auth.models import User
from .regions.models import Region

__all__ = ["AuditLog", "Region", "User"]
