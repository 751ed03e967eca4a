"""Search and filters over report items: safe full-text terms, and the scoped, filtered statement."""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, column, select, table, text
from sqlalchemy.orm import Session, aliased, contains_eager

from ..access import scope_classified
from ..auth.models import Role, User
from ..regions.models import Region
from .models import Aspect, DailyReport, IssueCategory, ReportItem, ReportStatus, ThreatLevel

# Letters and digits only: quotes, operators, '*', ':' and the like never reach the search engine.
WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
SEARCH_TABLE = table("report_item_search", column("rowid"))
Kecamatan = aliased(Region, name="kecamatan")


@dataclass
class ItemFilter:
    """What the user asked for; every field optional."""

    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    region_id: int | None = None
    aspect: Aspect | None = None
    category_id: int | None = None
    threat: ThreatLevel | None = None
    status: ReportStatus | None = None


def search_terms(text_: str) -> list[str]:
    """Lower-case word tokens of the user's text, de-duplicated, at most eight, each at most 40 characters."""
    terms: list[str] = []
    for token in WORD.findall(text_.lower()):
        token = token[:MAX_TERM_LENGTH]
        if token not in terms:
            terms.append(token)
        if len(terms) == MAX_TERMS:
            break
    return terms


def scope_token(user: User) -> str | None:
    """The index token of the user's scope: p63 for a province, k6311 for a regency, None for all."""
    if user.role == Role.ADMIN or user.region is None:
        return None
    code = user.region.code
    return f"p{code}" if user.region.is_province else f"k{code.replace('.', '')}"


def fts5_query(terms: list[str], token: str | None = None) -> str:
    """An FTS5 MATCH expression: every term as a prefix, and the scope token in the scope column."""
    parts = [f'"{term}"*' for term in terms]
    if token:
        parts.append(f'scope : "{token}"')
    return " AND ".join(parts)


def ts_query(terms: list[str], token: str | None = None) -> str:
    """A PostgreSQL to_tsquery expression with the same meaning."""
    parts = [f"{term}:*" for term in terms]
    if token:
        parts.append(token)
    return " & ".join(parts)


def _text_condition(session: Session, terms: list[str], token: str | None):
    """The full-text condition for the session's database."""
    if session.get_bind().dialect.name == "sqlite":
        matches = select(SEARCH_TABLE.c.rowid).where(
            text("report_item_search MATCH :fts").bindparams(fts=fts5_query(terms, token))
        )
        return ReportItem.id.in_(matches)
    return text("report_items.search_vector @@ to_tsquery('simple', :tsq)").bindparams(tsq=ts_query(terms, token))


def filtered(session: Session, user: User, wanted: ItemFilter) -> Select:
    """Items the user may see that match the filter, joined to their report and region (no columns chosen)."""
    stmt = (
        select(ReportItem.id)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
    )
    stmt = scope_classified(stmt, user, DailyReport.region_id, DailyReport.classification)
    terms = search_terms(wanted.text)
    if terms:
        stmt = stmt.where(_text_condition(session, terms, scope_token(user)))
    if wanted.date_from:
        stmt = stmt.where(DailyReport.report_date >= wanted.date_from)
    if wanted.date_to:
        stmt = stmt.where(DailyReport.report_date <= wanted.date_to)
    if wanted.region_id:
        stmt = stmt.where(DailyReport.region_id == wanted.region_id)
    if wanted.aspect:
        stmt = stmt.where(ReportItem.aspect == wanted.aspect)
    if wanted.category_id:
        stmt = stmt.where(ReportItem.category_id == wanted.category_id)
    if wanted.threat:
        stmt = stmt.where(ReportItem.threat_level == wanted.threat)
    if wanted.status:
        stmt = stmt.where(DailyReport.status == wanted.status)
    return stmt


def items_statement(session: Session, user: User, wanted: ItemFilter) -> Select:
    """Matching items as ORM objects with their report and region loaded, newest first."""
    return (
        filtered(session, user, wanted)
        .with_only_columns(ReportItem)
        .options(contains_eager(ReportItem.report).contains_eager(DailyReport.region))
        .order_by(DailyReport.report_date.desc(), Region.code, ReportItem.position, ReportItem.id)
    )


EXPORT_COLUMNS = (
    ("Tanggal laporan", DailyReport.report_date),
    ("Kode wilayah", Region.code),
    ("Kabupaten/kota", Region.name),
    ("Status laporan", DailyReport.status),
    ("Klasifikasi", DailyReport.classification),
    ("Aspek", ReportItem.aspect),
    ("Kategori", IssueCategory.name),
    ("Kerawanan", ReportItem.threat_level),
    ("Judul", ReportItem.title),
    ("Apa", ReportItem.what),
    ("Tanggal kejadian", ReportItem.occurred_date),
    ("Jam kejadian", ReportItem.occurred_time),
    ("Kecamatan", Kecamatan.name),
    ("Desa/kelurahan", ReportItem.desa),
    ("Lintang", ReportItem.latitude),
    ("Bujur", ReportItem.longitude),
    ("Siapa", ReportItem.actors),
    ("Bagaimana", ReportItem.how),
    ("Mengapa", ReportItem.why),
    ("Jenis sumber", ReportItem.source_kind),
    ("Keterangan sumber", ReportItem.source_detail),
    ("Keandalan sumber", ReportItem.source_reliability),
    ("Kebenaran informasi", ReportItem.info_credibility),
    ("Analisa", ReportItem.analysis),
    ("Prediksi", ReportItem.prediction),
    ("Langkah yang telah diambil", ReportItem.steps_taken),
    ("Rekomendasi", ReportItem.recommendation),
)


def export_statement(session: Session, user: User, wanted: ItemFilter) -> Select:
    """Matching items as plain rows of the export columns (no ORM objects: 100,000 rows stay cheap)."""
    return (
        filtered(session, user, wanted)
        .with_only_columns(*(col for _, col in EXPORT_COLUMNS))
        .outerjoin(IssueCategory, ReportItem.category_id == IssueCategory.id)
        .outerjoin(Kecamatan, ReportItem.kecamatan_id == Kecamatan.id)
        .order_by(DailyReport.report_date, Region.code, ReportItem.position, ReportItem.id)
    )
