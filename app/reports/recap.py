"""Rekap harian provinsi: group a day's reports by aspek and kerawanan, and write the WhatsApp digest.

Pure functions over plain data; the service loads the rows, the caller formats dates and times.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time

from .models import Aspect, Classification, ThreatLevel

WHAT_LIMIT = 200  # characters of "apa" kept in the digest


@dataclass(frozen=True)
class RecapReport:
    """One regency's submitted report of the day."""

    regency_code: str
    regency_name: str
    report_id: int
    status: str
    nihil: bool
    late: bool
    situation_level: int | None
    classification: Classification
    item_count: int


@dataclass(frozen=True)
class RecapItem:
    """One incident as the recap shows it."""

    regency_code: str
    regency_name: str
    report_id: int
    item_id: int
    aspect: Aspect
    threat: ThreatLevel
    title: str
    what: str
    occurred_date: date
    occurred_time: time | None
    place: str
    recommendation: str | None
    classification: Classification


@dataclass
class Recap:
    """The merged day: who reported, situasi umum counts, and the items grouped by aspek."""

    province_name: str
    day: date
    regencies: list[tuple[str, str]]
    reports: dict[str, RecapReport]
    groups: list[tuple[Aspect, list[RecapItem]]] = field(default_factory=list)

    @property
    def not_reported(self) -> list[str]:
        """Names of regencies without a submitted report."""
        return [name for code, name in self.regencies if code not in self.reports]

    @property
    def nihil_count(self) -> int:
        """Reports that were nihil."""
        return sum(1 for r in self.reports.values() if r.nihil)

    @property
    def items(self) -> list[RecapItem]:
        """All items in group order."""
        return [item for _, items in self.groups for item in items]

    def level_counts(self) -> Counter:
        """How many regencies reported each situasi umum level."""
        return Counter(r.situation_level for r in self.reports.values() if r.situation_level)

    def threat_counts(self) -> Counter:
        """How many items of each kerawanan."""
        return Counter(item.threat for item in self.items)


def build_recap(
    province_name: str,
    day: date,
    regencies: list[tuple[str, str]],
    reports: list[RecapReport],
    items: list[RecapItem],
) -> Recap:
    """Group items by aspek (fixed order), tinggi first, then by regency code."""
    recap = Recap(province_name, day, regencies, {r.regency_code: r for r in reports})
    for aspect in Aspect:
        in_aspect = sorted(
            (i for i in items if i.aspect == aspect), key=lambda i: (i.threat.rank, i.regency_code, i.item_id)
        )
        if in_aspect:
            recap.groups.append((aspect, in_aspect))
    return recap


def _trim(text: str, limit: int = WHAT_LIMIT) -> str:
    """One line, at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def level_summary(recap: Recap, levels: list[str]) -> str:
    """'Kondusif 8, Waspada 1' in scale order."""
    counts = recap.level_counts()
    return ", ".join(f"{label} {counts[n]}" for n, label in enumerate(levels, start=1) if counts[n])


def digest_text(recap: Recap, levels: list[str], date_label: str, printed_label: str) -> str:
    """The WhatsApp-ready text. Rahasia content is never included: WhatsApp is not a secure channel."""
    total = len(recap.regencies)
    lines = [
        "*REKAP LAPSITDA HARIAN*",
        f"*Provinsi {recap.province_name}*",
        date_label,
        "",
        f"Melapor {len(recap.reports)} dari {total} kab/kota"
        + (f" ({recap.nihil_count} nihil)." if recap.nihil_count else "."),
    ]
    if recap.not_reported:
        lines.append("Belum melapor: " + ", ".join(recap.not_reported) + ".")
    summary = level_summary(recap, levels)
    if summary:
        lines.append(f"Situasi umum: {summary}.")
    hidden = sum(1 for item in recap.items if item.classification == Classification.RAHASIA)
    for aspect, items in recap.groups:
        shown = [i for i in items if i.classification != Classification.RAHASIA]
        if not shown:
            continue
        lines += ["", f"*{aspect.label.upper()}* ({len(shown)})"]
        for number, item in enumerate(shown, start=1):
            lines.append(f"{number}. [{item.regency_name}] {item.title} — rawan {item.threat.label.lower()}")
            lines.append(f"   {_trim(item.what)}")
            if item.place:
                lines.append(f"   Lokasi: {item.place}")
            if item.recommendation:
                lines.append(f"   Rekomendasi: {_trim(item.recommendation, 160)}")
    if not recap.items:
        lines += ["", "Tidak ada kejadian yang dilaporkan."]
    if hidden:
        lines += ["", f"{hidden} kejadian berklasifikasi Rahasia tidak dimuat; lihat di Waspada."]
    lines += ["", f"_Sumber: Waspada, dibuat {printed_label}_"]
    return "\n".join(lines)
