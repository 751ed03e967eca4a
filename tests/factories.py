"""Builders of test data through the real services (so audit rows and rules apply as in use)."""

from datetime import date, time

from sqlalchemy import select

from app import audit, clock
from app.auth.models import User
from app.auth.services import actor_for
from app.extensions import db
from app.regions.models import Region
from app.reports import services
from app.reports.models import Aspect, Classification, DailyReport, ThreatLevel
from app.reports.services import HeaderData, ItemData


def region(code: str) -> Region:
    """A region by code (inside an app context)."""
    return db.session.scalars(select(Region).where(Region.code == code)).one()


def user(username: str) -> User:
    """A user by name (inside an app context)."""
    return db.session.scalars(select(User).where(User.username == username)).one()


def item_data(**overrides) -> ItemData:
    """A complete, valid incident."""
    values = dict(
        aspect=Aspect.POLITIK,
        category_id=None,
        title="Pertemuan massa pendukung calon",
        what="Sekitar 200 orang berkumpul di lapangan kecamatan.",
        occurred_date=clock.local_today("Asia/Makassar"),
        occurred_time=time(9, 30),
        kecamatan_id=None,
        desa="Desa Lajar",
        latitude=None,
        longitude=None,
        actors="Tim sukses paslon 2",
        how="Berkumpul tanpa pemberitahuan",
        why="Persiapan kampanye",
        source_kind=None,
        source_detail="Laporan Babinsa",
        source_reliability="B",
        info_credibility=2,
        analysis="Berpotensi gesekan dengan pendukung lain.",
        prediction="Kondusif bila dikawal.",
        steps_taken="Koordinasi dengan Polsek.",
        recommendation="Pengamanan saat kampanye.",
        threat_level=ThreatLevel.SEDANG,
    )
    values.update(overrides)
    return ItemData(**values)


def make_report(
    app,
    username: str = "operator",
    day: date | None = None,
    items: int = 1,
    level: int | None = 1,
    classification: Classification = Classification.BIASA,
    submit: bool = False,
    **item_overrides,
) -> int:
    """A report of the user's regency (today by default) with `items` incidents; returns its id."""
    with app.app_context():
        operator = user(username)
        audit.set_actor(db.session, actor_for(operator))
        today = clock.local_today(operator.region.timezone)
        day = day or today
        report = services.start_report(db.session, operator, operator.region, day, today)
        services.save_header(db.session, report, operator, HeaderData(level, "Ringkasan uji.", classification), None)
        for n in range(items):
            overrides = {"occurred_date": day, "title": f"Kejadian uji {n + 1}", **item_overrides}
            services.add_item(db.session, report, operator, item_data(**overrides))
        if submit:
            services.submit_report(db.session, report, operator, clock.utcnow())
        db.session.commit()
        return report.id


def get_report(app, report_id: int) -> DailyReport:
    """A report loaded in a throwaway session, with its items."""
    with app.app_context():
        report = db.session.get(DailyReport, report_id)
        _ = report.items, report.events, report.region
        db.session.expunge_all()
        return report
