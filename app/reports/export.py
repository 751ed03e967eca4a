"""Streamed exports of report items: CSV row by row, XLSX written row by row to a temporary file."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, time

from openpyxl import Workbook

from ..enums import LabelledEnum
from .models import INFO_CREDIBILITY, Classification
from .search import EXPORT_COLUMNS

REDACTED = "[disamarkan]"
CHUNK = 64 * 1024
HEADERS = [label for label, _ in EXPORT_COLUMNS]
SOURCE_DETAIL = HEADERS.index("Keterangan sumber")
CLASSIFICATION = HEADERS.index("Klasifikasi")
CREDIBILITY = HEADERS.index("Kebenaran informasi")


def export_row(row) -> list:
    """One item as exported: labels instead of codes, informants hidden for Terbatas and Rahasia."""
    values = []
    for value in row:
        if isinstance(value, LabelledEnum):
            value = value.label
        values.append(value)
    if row[CLASSIFICATION] in (Classification.TERBATAS, Classification.RAHASIA) and values[SOURCE_DETAIL]:
        values[SOURCE_DETAIL] = REDACTED
    if row[CREDIBILITY]:
        values[CREDIBILITY] = INFO_CREDIBILITY.get(row[CREDIBILITY], row[CREDIBILITY])
    return values


def _csv_value(value) -> str:
    """Dates as ISO, times as HH:MM, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_chunks(rows: Iterable) -> Iterator[str]:
    """CSV text in chunks of ~64 KB, with a BOM so spreadsheet programs read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_value(v) for v in export_row(row)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_chunks(rows: Iterable) -> Iterator[bytes]:
    """An XLSX workbook written row by row (openpyxl write-only) into a temporary file, then read out."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Kejadian")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([v.strftime("%H:%M") if isinstance(v, time) else v for v in export_row(row)])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
