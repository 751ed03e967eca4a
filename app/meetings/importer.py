"""Read an attendance list from CSV or XLSX: good rows kept, bad rows reported by line. Never raises."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

UNSUR = {
    "asn": "ASN/OPD",
    "tni": "TNI",
    "polri": "Polri",
    "kejaksaan": "Kejaksaan",
    "bin": "BIN/BINDA",
    "pemdes": "Camat/lurah/kepala desa",
    "fkdm": "FKDM",
    "fkub": "FKUB",
    "tokoh_agama": "Tokoh agama",
    "tokoh_masyarakat": "Tokoh masyarakat/adat",
    "ormas": "Ormas",
    "okp": "OKP/pemuda",
    "akademisi": "Akademisi",
    "media": "Media/pers",
    "mahasiswa": "Mahasiswa",
    "penyelenggara": "Bawaslu/KPU",
    "lainnya": "Lainnya",
}
HEADER_ALIASES = {
    "nama": "name",
    "name": "name",
    "nama lengkap": "name",
    "jabatan": "jabatan",
    "position": "jabatan",
    "instansi": "instansi",
    "lembaga": "instansi",
    "instansi/lembaga": "instansi",
    "organization": "instansi",
    "unsur": "unsur",
    "kategori": "unsur",
    "l/p": "sex",
    "jk": "sex",
    "jenis kelamin": "sex",
    "sex": "sex",
    "gender": "sex",
    "no. hp": "phone",
    "no hp": "phone",
    "hp": "phone",
    "telepon": "phone",
    "phone": "phone",
    "no. telp": "phone",
}
SEXES = {"l": "L", "laki-laki": "L", "laki laki": "L", "pria": "L", "p": "P", "perempuan": "P", "wanita": "P"}
LIMITS = {"name": 120, "jabatan": 120, "instansi": 160}
NOT_TABULAR = "Berkas tidak dikenali: unggah CSV atau XLSX."


def _unsur_lookup() -> dict[str, str]:
    """Every accepted spelling of an unsur (code, label, parts of the label) → its code."""
    lookup = {}
    for code, label in UNSUR.items():
        lookup[code] = code
        lookup[label.lower()] = code
        for part in re.split(r"[/,]", label.lower()):
            lookup.setdefault(part.strip(), code)
    lookup.update(
        {
            "kepala desa": "pemdes",
            "kades": "pemdes",
            "tokoh adat": "tokoh_masyarakat",
            "pers": "media",
            "pemuda": "okp",
            "binda": "bin",
            "bawaslu": "penyelenggara",
            "kpu": "penyelenggara",
        }
    )
    return lookup


UNSUR_LOOKUP = _unsur_lookup()


@dataclass(frozen=True)
class PersonRow:
    """One valid row of the list."""

    line: int
    name: str
    jabatan: str | None
    instansi: str | None
    unsur: str
    sex: str | None
    phone: str | None


@dataclass
class ImportResult:
    """The valid people and the refused rows as (line, Indonesian message)."""

    people: list[PersonRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _text(value) -> str:
    """A cell as trimmed text (numbers from spreadsheets without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(data: bytes) -> list[tuple[int, list[str]]] | None:
    """(line, cells) of a spreadsheet or CSV file, or None when it is neither."""
    if data.startswith(b"PK\x03\x04"):
        try:
            from openpyxl import load_workbook  # ~6 MB: loaded by the first upload, not by every worker

            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return None
        try:
            sheet = workbook.worksheets[0]
            return [(n, [_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        finally:
            workbook.close()
    if not data or b"\x00" in data[:4096] or data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"MZ")):
        return None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096]) < 0.95 * len(text[:4096]):
        return None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader]


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds which field."""
    columns = {}
    for index, cell in enumerate(header):
        key = HEADER_ALIASES.get(" ".join(cell.lower().split()))
        if key and key not in columns:
            columns[key] = index
    return columns


def _person(line: int, cells: dict[str, str]) -> tuple[PersonRow | None, list[str]]:
    """A valid row, or the problems with it."""
    problems = []
    for key, limit in LIMITS.items():
        if len(cells.get(key, "")) > limit:
            problems.append(f"Kolom {key} lebih dari {limit} karakter.")
    if not cells.get("name"):
        problems.append("Nama kosong.")
    unsur_text = cells.get("unsur", "")
    unsur = UNSUR_LOOKUP.get(" ".join(unsur_text.lower().split())) if unsur_text else "lainnya"
    if unsur is None:
        problems.append(f"Unsur '{unsur_text}' tidak dikenal.")
    sex_text = cells.get("sex", "").lower()
    sex = SEXES.get(sex_text) if sex_text else None
    if sex_text and sex is None:
        problems.append(f"L/P '{cells['sex']}' tidak dikenal (isi L atau P).")
    phone = None
    if cells.get("phone"):
        digits = re.sub(r"[\s.\-()]", "", cells["phone"])
        if not re.fullmatch(r"\+?\d{8,15}", digits):
            problems.append("Nomor HP tidak sah.")
        phone = digits
    if problems:
        return None, problems
    return PersonRow(
        line, cells["name"], cells.get("jabatan") or None, cells.get("instansi") or None, unsur, sex, phone
    ), []


def read_attendance(filename: str, data: bytes, max_rows: int = 1000) -> ImportResult:
    """Valid people and refused rows of an uploaded list; the type is judged by content, not by `filename`."""
    result = ImportResult()
    table = read_table(data)
    if table is None:
        result.errors.append((0, NOT_TABULAR))
        return result
    rows = [(line, cells) for line, cells in table if any(c.strip() for c in cells)]
    if not rows:
        result.errors.append((0, "Berkas kosong."))
        return result
    header_line, header = rows[0]
    columns = _columns(header)
    if "name" not in columns:
        result.errors.append((header_line, "Baris judul harus memuat kolom Nama."))
        return result
    if len(rows) - 1 > max_rows:
        result.errors.append((0, f"Berkas berisi lebih dari {max_rows} baris."))
        return result
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows[1:]:
        values = {key: (cells[index].strip() if index < len(cells) else "") for key, index in columns.items()}
        person, problems = _person(line, values)
        if person is not None:
            key = (person.name.lower(), (person.instansi or "").lower())
            if key in seen:
                problems = [f"Nama ini sudah ada di baris {seen[key]}."]
            else:
                seen[key] = line
                result.people.append(person)
        if problems:
            result.errors.append((line, "; ".join(problems)))
    return result
