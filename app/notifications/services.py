"""Who is told what: notifications for the events of the daily work, and their e-mail copies."""

from collections.abc import Iterable
from datetime import datetime

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import audit, mail
from ..auth.models import Role, User
from ..db import kept
from ..regions.models import Region
from ..regions.services import province_of
from ..ui import format_short_date
from .models import Notification, NotificationKind

STAFF = (Role.OPERATOR, Role.FASILITATOR)


def link(endpoint: str, **values) -> str:
    """A path in the app, also outside a request (cron commands, demo data)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, **values)


def analysts_of(session: Session, province: Region) -> list[User]:
    """The active province analysts of a province."""
    stmt = select(User).where(User.active, User.role == Role.PROVINSI, User.region_id == province.id)
    return list(session.scalars(stmt))


def staff_of(session: Session, region_id: int, roles: Iterable[Role] = STAFF) -> list[User]:
    """The active operators (and facilitators) of a regency."""
    stmt = select(User).where(User.active, User.role.in_(list(roles)), User.region_id == region_id)
    return list(session.scalars(stmt))


def notify(
    session: Session,
    recipients: Iterable[User],
    kind: NotificationKind,
    title: str,
    url: str,
    body: str | None = None,
    region_id: int | None = None,
    dedupe: str | None = None,
) -> int:
    """Tell each recipient once (a `dedupe` key already used for a user is skipped); returns how many."""
    users = {user.id: user for user in recipients if user.active}
    if not users:
        return 0
    if dedupe is not None:
        done = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.dedupe_key == dedupe, Notification.user_id.in_(list(users))
                )
            )
        )
        users = {uid: user for uid, user in users.items() if uid not in done}
    base = current_app.config["BASE_URL"].rstrip("/")
    for user in users.values():
        session.add(
            Notification(
                user_id=user.id,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                region_id=region_id,
                dedupe_key=dedupe,
            )
        )
        if user.email and user.email_notifications:
            text = f"{title}\n\n{body + chr(10) + chr(10) if body else ''}Buka: {base}{url}\n\n"
            text += "—\nWaspada. Anda dapat mematikan e-mail pemberitahuan di Waspada: Notifikasi → Pengaturan."
            mail.queue(session, mail.Message(user.email, f"[Waspada] {title}"[:200], text))
    session.flush()
    return len(users)


def unread_count(session: Session, user: User) -> int:
    """How many notifications the user has not read; kept while nothing is written (every page's header)."""
    stmt = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return kept(session, "unread_notifications", user.id, lambda: session.scalar(stmt) or 0)


def recent(session: Session, user: User, limit: int, offset: int = 0) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, user: User, notification_id: int | None, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of the user as read; returns how many.

    One UPDATE for all of them, so the audit hook does not see it: one explicit audit row says what changed.
    """
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    count = session.execute(stmt.values(read_at=now).execution_options(synchronize_session=False)).rowcount or 0
    if count:
        audit.record(
            session,
            "update",
            entity="notifications",
            entity_id=notification_id,
            region_id=user.region_id,
            changes={"read_at": [None, now.isoformat()], "jumlah": count},
        )
        session.flush()
    return count


# ---------------------------------------------------------------- the events


def report_submitted(session: Session, report, resubmitted: bool) -> None:
    """The province's analysts learn that a report arrived (or came back corrected)."""
    region = report.region
    what = "dikirim ulang" if resubmitted else ("nihil" if report.nihil else "masuk")
    title = f"Laporan {region.name} {format_short_date(report.report_date)} {what}"
    notify(
        session,
        analysts_of(session, province_of(region)),
        NotificationKind.REPORT_SUBMITTED,
        title,
        link("reports.detail", report_id=report.id),
        region_id=region.id,
    )


def report_returned(session: Session, report, reasons: list[str], note: str | None) -> None:
    """The regency's operators learn that their report needs fixing, and why."""
    body = "; ".join([*reasons, note] if note else reasons) or None
    notify(
        session,
        staff_of(session, report.region_id, (Role.OPERATOR,)),
        NotificationKind.REPORT_RETURNED,
        f"Laporan {format_short_date(report.report_date)} dikembalikan provinsi",
        link("reports.detail", report_id=report.id),
        body=f"Alasan: {body}" if body else None,
        region_id=report.region_id,
    )


def lapsus_filed(session: Session, lapsus) -> None:
    """The province's analysts learn of an urgent report at once."""
    notify(
        session,
        analysts_of(session, province_of(lapsus.region)),
        NotificationKind.LAPSUS_FILED,
        f"LAPSUS {lapsus.region.name}: {lapsus.title}",
        link("lapsus.detail", lapsus_id=lapsus.id),
        body=f"Kerawanan {lapsus.threat_level.label.lower()}.",
        region_id=lapsus.region_id,
    )


def follow_up_assigned(session: Session, follow_up) -> None:
    """The responsible regency's staff learn of a new follow-up and its due date."""
    notify(
        session,
        staff_of(session, follow_up.region_id),
        NotificationKind.FOLLOWUP_ASSIGNED,
        f"Tindak lanjut baru, batas {format_short_date(follow_up.due_date)}",
        link("followups.index"),
        body=f"{follow_up.description} (penanggung jawab: {follow_up.responsible})",
        region_id=follow_up.region_id,
    )
