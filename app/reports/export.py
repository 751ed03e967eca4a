"""Streamed exports of report items: CSV, and XLSX written as it goes, so 100,000 rows start at once.

Both formats send their first bytes before the query is done and keep memory flat: rows come from the
database 1,000 at a time and leave as ~64 KB chunks. The XLSX is a minimal SpreadsheetML package whose
sheet is deflated into the zip stream row by row (openpyxl's write-only mode took ~20 s for 100,000 rows
and sends nothing until the end).

Rules of content: informants (keterangan sumber) of Terbatas and Rahasia reports are exported as
"[disamarkan]"; text that a spreadsheet would read as a formula is defused; Rahasia rows are already
left out by the scoped query for those who may not see them.
"""

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, time
from xml.sax.saxutils import escape

from sqlalchemy import Select
from sqlalchemy.orm import Session, aliased

from ..auth.models import Role, User
from ..enums import LabelledEnum
from ..extensions import db
from ..regions.models import Region
from .models import ITEM_FIELD_LABELS, Classification, DailyReport, IssueCategory, ReportItem
from .search import ItemFilter, matching, newest_first

REDACTED = "[disamarkan]"
REDACTED_CLASSES = frozenset({Classification.TERBATAS, Classification.RAHASIA})
# Above this many rows an export is refused: at ~10 s per 100,000 rows it stays well inside the
# workers' 60 s timeout, and below Excel's 1,048,576 rows a sheet.
EXPORT_LIMIT = 200_000
CHUNK = 64 * 1024
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000
Kecamatan = aliased(Region, name="kecamatan")
L = ITEM_FIELD_LABELS

# (header, selected column or None for a computed one, XLSX column width)
COLUMNS = (
    ("Tanggal laporan", DailyReport.report_date, 12),
    ("Kode wilayah", Region.code, 9),
    ("Kabupaten/kota", Region.name, 22),
    ("Status laporan", DailyReport.status, 13),
    ("Klasifikasi", DailyReport.classification, 11),
    (L["aspect"], ReportItem.aspect, 16),
    (L["category_id"], IssueCategory.name, 24),
    (L["threat_level"], ReportItem.threat_level, 10),
    (L["title"], ReportItem.title, 40),
    (L["what"], ReportItem.what, 60),
    (L["occurred_date"], ReportItem.occurred_date, 12),
    (L["occurred_time"], ReportItem.occurred_time, 8),
    (L["kecamatan_id"], Kecamatan.name, 18),
    (L["desa"], ReportItem.desa, 18),
    (L["latitude"], ReportItem.latitude, 10),
    (L["longitude"], ReportItem.longitude, 10),
    (L["actors"], ReportItem.actors, 30),
    (L["how"], ReportItem.how, 40),
    (L["why"], ReportItem.why, 40),
    (L["source_kind"], ReportItem.source_kind, 18),
    (L["source_detail"], ReportItem.source_detail, 30),
    ("Nilai informasi", None, 8),
    (L["analysis"], ReportItem.analysis, 50),
    (L["prediction"], ReportItem.prediction, 40),
    (L["steps_taken"], ReportItem.steps_taken, 40),
    (L["recommendation"], ReportItem.recommendation, 40),
)
HEADERS = [header for header, _, _ in COLUMNS]
# Columns selected in addition to the visible ones, to compute "Nilai informasi".
EXTRA = (ReportItem.source_reliability, ReportItem.info_credibility)
CLASSIFICATION = HEADERS.index("Klasifikasi")
SOURCE_DETAIL = HEADERS.index(L["source_detail"])
GRADING = HEADERS.index("Nilai informasi")
# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_statement(session: Session, user: User, wanted: ItemFilter) -> Select:
    """The export rows of the matching items, in the order of the results (plain rows, no ORM objects).

    Walking the reports by date streams rows from the first one instead of sorting the whole selection.
    """
    visible = [col for _, col, _ in COLUMNS if col is not None]
    return newest_first(
        matching(session, user, wanted, by_date=True)
        .with_only_columns(*visible, *EXTRA)
        .outerjoin(IssueCategory, ReportItem.category_id == IssueCategory.id)
        .outerjoin(Kecamatan, ReportItem.kecamatan_id == Kecamatan.id)
    )


def too_many(session: Session, user: User, wanted: ItemFilter) -> bool:
    """Whether more than EXPORT_LIMIT rows match (found by reading past the limit, not by counting all)."""
    beyond = matching(session, user, wanted).order_by(None).offset(EXPORT_LIMIT).limit(1)
    return session.scalar(beyond) is not None


def filename(user: User, wanted: ItemFilter, extension: str) -> str:
    """lapsitda-63-2024-09-01_2024-09-30.csv: the region exported and the date range ("awal"/"akhir" when open)."""
    region = wanted.region or (None if user.role == Role.ADMIN else user.region)
    span = f"{wanted.date_from or 'awal'}_{wanted.date_to or 'akhir'}"
    return f"lapsitda-{region.code if region else 'semua'}-{span}.{extension}"


def fetch_rows(stmt: Select) -> Iterator:
    """Run the export query where it is consumed (inside the streamed response), 1,000 rows at a time.

    The query must start inside the response's generator: the view's own session ends when the view
    returns, and a PostgreSQL server-side cursor ends with it.
    """
    yield from db.session.execute(stmt.execution_options(yield_per=BATCH))


def export_row(row) -> list:
    """One item as exported: labels instead of codes, the Admiralty grading, informants hidden when classified."""
    values = [value.label if isinstance(value, LabelledEnum) else value for value in row[: len(HEADERS) - 1]]
    reliability, credibility = row[len(HEADERS) - 1 :]
    values.insert(GRADING, f"{reliability or ''}{credibility or ''}")
    if row[CLASSIFICATION] in REDACTED_CLASSES and values[SOURCE_DETAIL]:
        values[SOURCE_DETAIL] = REDACTED
    return values


def defused(text: str) -> str:
    """Text that a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


# ---------------------------------------------------------------- CSV


def _csv_value(value) -> str:
    """Dates as ISO, times as HH:MM, nothing as empty, text defused."""
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return defused(value)
    return str(value)


def csv_chunks(rows: Iterable) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so spreadsheet programs read the encoding), comma-separated, in ~64 KB chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    yield buffer.getvalue().encode()  # the first bytes leave before the query has run
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_csv_value(v) for v in export_row(row)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# ---------------------------------------------------------------- XLSX

SHEET_NAME = "Kejadian"
EXCEL_EPOCH = date(1899, 12, 30)
# Characters XML 1.0 does not allow; a pasted control character must not break the whole file.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_TEXT = 32_767  # Excel's limit per cell


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


LETTERS = [_column_letter(i) for i in range(len(HEADERS))]
LAST = LETTERS[-1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Styles: 0 normal, 1 bold (header), 2 date (yyyy-mm-dd).
STYLES = (
    XML_HEAD + f"<styleSheet {NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_START = (
    XML_HEAD + f"<worksheet {NS} {NS_R}>"
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    "<cols>"
    + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, (_, _, w) in enumerate(COLUMNS, 1))
    + "</cols><sheetData>"
)


def _workbook(last_row: int) -> str:
    """workbook.xml, written last so the filter covers every row."""
    return (
        XML_HEAD + f"<workbook {NS} {NS_R}>"
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{SHEET_NAME}!$A$1:${LAST}${last_row}</definedName></definedNames>"
        "</workbook>"
    )


def _xlsx_cell(ref: str, value, style: int = 0) -> str:
    """One <c> element: numbers and dates as values, everything else as an inline string (never a formula)."""
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, time):
        value = value.strftime("%H:%M")
    elif isinstance(value, date):
        return f'<c r="{ref}" s="2"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f'<c r="{ref}"{styled}><v>{value!r}</v></c>'
    text = escape(XML_ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT])
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'


def _xlsx_row(number: int, values: list, style: int = 0) -> str:
    """One <row> element."""
    pairs = zip(LETTERS, values, strict=True)
    cells = "".join(_xlsx_cell(f"{letter}{number}", value, style) for letter, value in pairs)
    return f'<row r="{number}">{cells}</row>'


class _Outbox:
    """A write-only file for zipfile: collects the compressed bytes until the generator hands them out."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        """Keep a piece of the zip stream."""
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the generator takes the bytes."""

    def take(self) -> bytes:
        """Everything written since the last take."""
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def xlsx_chunks(rows: Iterable) -> Iterator[bytes]:
    """An XLSX workbook (one sheet, bold frozen header with a filter) deflated and sent as it is written."""
    out = _Outbox()
    # No seek on a stream: zipfile writes sizes after each part (data descriptors), as streaming zips do.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        number = 1
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_START + _xlsx_row(1, HEADERS, style=1)).encode())
            yield out.take()
            batch = []
            for row in rows:
                number += 1
                batch.append(_xlsx_row(number, export_row(row)))
                if len(batch) == BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    if out.size >= CHUNK:
                        yield out.take()
            sheet.write(("".join(batch) + f'</sheetData><autoFilter ref="A1:{LAST}{number}"/></worksheet>').encode())
        package.writestr("xl/workbook.xml", _workbook(number))
    yield out.take()
