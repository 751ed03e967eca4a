"""A ranking as CSV or XLSX (a province has a few dozen regencies: built in memory)."""

import csv
import io

from .services import Ranking, RankRow


def _number(value: float | None) -> float | None:
    """Two decimals, as shown on the page."""
    return None if value is None else round(value, 2)


def headers(ranking: Ranking) -> list[str]:
    """The column titles: the fixed ones, then one per dimension, then the incident parts when used."""
    titles = ["Peringkat", "Kode wilayah", "Kabupaten/kota", "Skor", "Kategori", "Pergerakan"]
    if not ranking.published:
        titles += ["Responden (n)", "Simpangan baku", "IK 95% bawah", "IK 95% atas"]
        titles += [f"Dimensi: {name}" for _, name in ranking.dimensions]
        if ranking.with_incidents:
            titles += ["Indikator kejadian", "Skor gabungan"]
    else:
        titles += ["Kategori terbitan", "Sumber"]
    return titles


def values(ranking: Ranking, row: RankRow) -> list:
    """One regency as exported."""
    score = row.score
    band = row.band.label if row.band else ("data belum cukup" if row.rank is None else "")
    cells = [row.rank, row.region.code, row.region.name, _number(row.value), band, row.movement]
    if not ranking.published:
        cells += [score.n, _number(score.sd), _number(score.ci_low), _number(score.ci_high)]
        cells += [_number(score.dimensions.get(code)) for code, _ in ranking.dimensions]
        if ranking.with_incidents:
            cells += [_number(row.incidents), _number(row.composite)]
    else:
        cells += [row.category or "", row.source or ""]
    return cells


def ranking_csv(ranking: Ranking, rows: list[RankRow]) -> str:
    """CSV with a BOM so spreadsheet programs read UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers(ranking))
    for row in rows:
        writer.writerow(["" if v is None else v for v in values(ranking, row)])
    return buffer.getvalue()


def ranking_xlsx(ranking: Ranking, rows: list[RankRow]) -> bytes:
    """An XLSX workbook: the table, then the index, edition, province and basis in a second sheet."""
    from openpyxl import Workbook  # ~6 MB: loaded by the first spreadsheet, not by every worker

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Peringkat")
    sheet.append(headers(ranking))
    for row in rows:
        sheet.append(values(ranking, row))
    about = workbook.create_sheet("Keterangan")
    definition = ranking.definition
    about.append(["Indeks", definition.name])
    about.append(["Edisi", definition.edition])
    about.append(["Provinsi", ranking.province.name])
    about.append(["Arah", definition.direction.label])
    about.append(["Dasar peringkat", "Skor gabungan" if ranking.use_composite else "Skor indeks"])
    about.append(["Minimal responden", definition.min_respondents])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
