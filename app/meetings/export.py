"""The attendance list as CSV (streamed) and XLSX."""

import csv
import io
from collections.abc import Iterator

from .importer import UNSUR
from .models import Attendance

HEADERS = ["No", "Nama", "Jabatan", "Instansi/lembaga", "Unsur", "L/P", "No. HP", "Kehadiran"]


def _values(number: int, row: Attendance) -> list:
    """One person as exported."""
    person = row.participant
    presence = {True: "Hadir", False: "Tidak hadir", None: "Belum ditandai"}[row.present]
    return [
        number,
        person.name,
        person.jabatan or "",
        person.instansi or "",
        UNSUR.get(person.unsur, person.unsur),
        person.sex.value if person.sex else "",
        person.phone or "",
        presence,
    ]


def attendance_csv(rows: list[Attendance]) -> Iterator[str]:
    """CSV with a BOM (spreadsheet programs then read UTF-8), one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, start=1):
        writer.writerow(_values(number, row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def attendance_xlsx(rows: list[Attendance]) -> bytes:
    """An XLSX workbook of the list (a meeting's list is small: built in memory)."""
    from openpyxl import Workbook  # ~6 MB: loaded by the first spreadsheet, not by every worker

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Daftar hadir")
    sheet.append(HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.append(_values(number, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
