"""Loads a province's day for the recap: regencies, submitted reports (scoped) and their items."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..access import scope_classified
from ..auth.models import User
from ..regions.models import Region
from ..regions.services import regencies_of
from .models import DailyReport, ReportItem, ReportStatus
from .recap import Recap, RecapItem, RecapReport, build_recap

SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.VERIFIED)


def _place(item: ReportItem) -> str:
    """'Desa Lajar, Kec. Juai'."""
    parts = [item.desa, f"Kec. {item.kecamatan.name}" if item.kecamatan else None]
    return ", ".join(p for p in parts if p)


def load_recap(session: Session, user: User, province: Region, day: date) -> Recap:
    """The recap of `day` for `province` as `user` may see it (Rahasia only for those allowed)."""
    regencies = regencies_of(session, province)
    by_id = {r.id: r for r in regencies}
    stmt = select(DailyReport).where(
        DailyReport.report_date == day, DailyReport.region_id.in_(by_id), DailyReport.status.in_(SUBMITTED)
    )
    reports = list(session.scalars(scope_classified(stmt, user, DailyReport.region_id, DailyReport.classification)))
    items = session.scalars(
        select(ReportItem)
        .options(joinedload(ReportItem.report))
        .where(ReportItem.report_id.in_([r.id for r in reports]))
    ).all()
    counts: dict[int, int] = {}
    for item in items:
        counts[item.report_id] = counts.get(item.report_id, 0) + 1
    recap_reports = [
        RecapReport(
            regency_code=by_id[r.region_id].code,
            regency_name=by_id[r.region_id].name,
            report_id=r.id,
            status=r.status.value,
            nihil=r.nihil,
            late=r.late,
            situation_level=r.situation_level,
            classification=r.classification,
            item_count=counts.get(r.id, 0),
        )
        for r in reports
    ]
    recap_items = [
        RecapItem(
            regency_code=by_id[i.report.region_id].code,
            regency_name=by_id[i.report.region_id].name,
            report_id=i.report_id,
            item_id=i.id,
            aspect=i.aspect,
            threat=i.threat_level,
            title=i.title,
            what=i.what,
            occurred_date=i.occurred_date,
            occurred_time=i.occurred_time,
            place=_place(i),
            recommendation=i.recommendation,
            classification=i.report.classification,
        )
        for i in items
    ]
    return build_recap(province.name, day, [(r.code, r.name) for r in regencies], recap_reports, recap_items)
