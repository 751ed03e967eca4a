"""All Indonesia for synthetic data: the 38 provinces (real codes, names, zones and regency counts from
`app/regions/data/provinces.csv`) and their 514 kabupaten/kota (the built-in ones of Kalteng and Kalsel
as they are; generated names and codes NN.01…, kota from NN.71, for the others) with a population.
"""

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..regions.models import Region, RegionKind
from ..regions.services import FIRST_KOTA_NUMBER, ImportResult, import_regions_csv

PROVINCES_CSV = Path(__file__).parents[1] / "regions" / "data" / "provinces.csv"
# Names and populations are the same whatever the data seed, so every generated set has the same map.
REGION_SEED = 514
ONSETS = ("", "b", "d", "g", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "ng", "h", "s", "t", "k", "b")
VOWELS = "aaaiiuueo"
CODAS = ("", "", "", "", "n", "ng", "r", "k", "s", "h", "m", "t", "l")
PREFIXES = ("Sungai", "Tanjung", "Muara", "Bukit", "Batu", "Pulau", "Teluk", "Padang", "Lubuk", "Tanah", "Kuala")
SUFFIXES = ("Barat", "Timur", "Utara", "Selatan", "Tengah", "Raya", "Jaya", "Baru")


@dataclass(frozen=True)
class ProvinceFacts:
    """One line of provinces.csv."""

    code: str
    name: str
    timezone: str
    capital: str
    kabupaten: int
    kota: int


def province_facts() -> list[ProvinceFacts]:
    """The 38 provinces with their zones, capitals and numbers of kabupaten and kota."""
    with PROVINCES_CSV.open(encoding="utf-8") as handle:
        return [
            ProvinceFacts(r["kode"], r["nama"], r["zona_waktu"], r["ibu_kota"], int(r["kabupaten"]), int(r["kota"]))
            for r in csv.DictReader(handle)
        ]


def _root(rng: random.Random) -> str:
    """A made-up two- or three-syllable place name ('Tambalang')."""
    syllables = rng.choice((2, 2, 3, 3, 3))
    word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables - 1))
    word += rng.choice(ONSETS[1:]) + rng.choice(VOWELS) + rng.choice(CODAS)
    return word.capitalize()


def place_name(rng: random.Random) -> str:
    """A village-like name: 'Tambalang' or 'Sungai Tambalang'."""
    root = _root(rng)
    return f"{rng.choice(PREFIXES)} {root}" if rng.random() < 0.3 else root


def _regency_name(rng: random.Random, kota: bool) -> str:
    """'Kab. Muara Tambalang', 'Kab. Karumpa Utara' or 'Kota Sinrang'."""
    root, roll = _root(rng), rng.random()
    if roll < 0.3:
        root = f"{rng.choice(PREFIXES)} {root}"
    elif roll < 0.45 and not kota:
        root = f"{root} {rng.choice(SUFFIXES)}"
    return f"Kota {root}" if kota else f"Kab. {root}"


def _population(rng: random.Random, kind: RegionKind) -> int:
    """A plausible population: log-normal around 300,000 (kota a little larger), within 20,000–5,500,000."""
    median = 380_000 if kind == RegionKind.KOTA else 300_000
    return int(min(5_500_000, max(20_000, rng.lognormvariate(0, 0.75) * median)) // 10 * 10)


def national_regions_csv(session: Session) -> str:
    """Every province and kabupaten/kota as `flask regions import` reads them (existing names are kept)."""
    rng = random.Random(REGION_SEED)
    known = {r.code: r for r in session.scalars(select(Region).where(Region.kind != RegionKind.KECAMATAN))}
    used = {r.name for r in known.values()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kode", "nama", "jenis", "zona_waktu", "penduduk"])
    for province in province_facts():
        regencies = []
        numbers = [(n, RegionKind.KABUPATEN) for n in range(1, province.kabupaten + 1)]
        numbers += [(FIRST_KOTA_NUMBER + n, RegionKind.KOTA) for n in range(province.kota)]
        for number, kind in numbers:
            code = f"{province.code}.{number:02d}"
            existing = known.get(code)
            name = existing.name if existing else _regency_name(rng, kind == RegionKind.KOTA)
            while name in used and existing is None:
                name = _regency_name(rng, kind == RegionKind.KOTA)
            used.add(name)
            population = (existing.population if existing else None) or _population(rng, kind)
            regencies.append([code, name, kind.value, "", population])
        total = sum(row[4] for row in regencies)
        name = known[province.code].name if province.code in known else province.name
        writer.writerow([province.code, name, "provinsi", province.timezone, total])
        writer.writerows(regencies)
    return out.getvalue()


def load_nation(session: Session) -> ImportResult:
    """Create the missing provinces and kabupaten/kota and give every one a population (audited import)."""
    return import_regions_csv(session, national_regions_csv(session))
