"""The shared state of one generation: the plan (seed, window, "now"), the regions and their habits."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..regions.models import Region, RegionKind
from .bulk import BulkWriter, scope_tokens
from .vocabulary import TextMaker, ZipfTable

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Plan:
    """What to make: `days` of history ending at `now` (naive UTC, the generator's one clock reading)."""

    seed: int
    scale: float
    years: float
    now: datetime
    # Only these provinces get accounts and activity (all regions are made anyway); empty: all of them.
    provinces: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        """Length of the history: the years asked, times the scale (all regions are always there)."""
        return max(1, round(self.years * DAYS_PER_YEAR * self.scale))

    def rng(self, purpose: str) -> random.Random:
        """A generator of its own for each part, so one part's changes leave the others' rows alone."""
        return random.Random(f"{self.seed}:{purpose}")


@dataclass
class Person:
    """An account as the generator needs it."""

    id: int
    username: str
    full_name: str


@dataclass
class Place:
    """A province or kabupaten/kota with its local calendar and the habits of its office."""

    id: int
    code: str
    name: str
    timezone: str
    offset: timedelta  # local = UTC + offset (no daylight saving in Indonesia)
    today: date  # the local date at `now`
    population: int | None
    province: "Place | None" = None
    scope: str = ""  # the full-text index's region tokens ('p63 k6311')
    regencies: list["Place"] = field(default_factory=list)
    kecamatan: list[int] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)
    operators: list[Person] = field(default_factory=list)
    analysts: list[Person] = field(default_factory=list)
    facilitator: Person | None = None
    head_name: str = ""
    deadline: time = time(12, 0)
    grace_minutes: int = 0
    # Habits, drawn once per region: how often a day is missed, late, nihil; how unsettled the region is.
    missing: float = 0.05
    late: float = 0.12
    nihil: float = 0.12
    unrest: float = 0.3
    review_hours: float = 6.0
    never_reviewed: float = 0.02
    returns: float = 0.04

    def utc(self, day: date, clock: time) -> datetime:
        """A local date and time as a naive UTC moment."""
        return datetime.combine(day, clock) - self.offset

    @property
    def short_name(self) -> str:
        """'Balangan' for 'Kab. Balangan', 'Banjarmasin' for 'Kota Banjarmasin'."""
        return self.name.removeprefix("Kab. ").removeprefix("Kota ")


@dataclass
class World:
    """Everything the parts share."""

    plan: Plan
    writer: BulkWriter
    table: ZipfTable
    provinces: list[Place]
    admin: Person | None = None
    categories: dict[str, int] = field(default_factory=dict)
    search: bool = False  # write the full-text index rows along with the items (SQLite)

    @property
    def regencies(self) -> list[Place]:
        """Every kabupaten/kota, by code."""
        return [r for p in self.provinces for r in p.regencies]

    def text(self, rng: random.Random) -> TextMaker:
        """A word source driven by `rng`."""
        return TextMaker(self.table, rng)


def load_places(session: Session, now: datetime) -> list[Place]:
    """The provinces with their kabupaten/kota (and the ids of any kecamatan) from the database."""
    rows = session.scalars(select(Region).order_by(Region.code)).all()
    places: dict[int, Place] = {}
    provinces = []
    for region in rows:
        if region.kind == RegionKind.KECAMATAN:
            parent = places.get(region.parent_id)
            if parent is not None:
                parent.kecamatan.append(region.id)
            continue
        zone = ZoneInfo(region.timezone)
        offset = zone.utcoffset(now)
        place = Place(
            region.id, region.code, region.name, region.timezone, offset, (now + offset).date(), region.population
        )
        place.scope = scope_tokens(region.code)
        places[region.id] = place
        if region.kind == RegionKind.PROVINSI:
            provinces.append(place)
        elif region.parent_id in places:
            place.province = places[region.parent_id]
            place.province.regencies.append(place)
    return provinces


def draw_habits(plan: Plan, provinces: list[Place]) -> None:
    """Each office's habits: most report nearly every day; a few miss often, come late, or review slowly."""
    rng = plan.rng("habits")
    for province in provinces:
        province.review_hours = rng.uniform(2, 20)
        province.never_reviewed = rng.choice((0.002, 0.005, 0.01, 0.02, 0.05))
        province.returns = rng.uniform(0.02, 0.07)
        province.deadline, province.grace_minutes = rng.choice(
            ((time(12, 0), 0),) * 6 + ((time(12, 0), 30), (time(10, 0), 0), (time(13, 0), 0))
        )
        province.unrest = rng.uniform(0.1, 0.6)
        for regency in province.regencies:
            # Beta(1, 19) has mean 0.05: "5 % of days missing" overall, unevenly spread.
            regency.missing = min(0.4, rng.betavariate(1, 19))
            regency.late = min(0.6, rng.betavariate(1.2, 8.8))
            regency.nihil = min(0.5, rng.betavariate(1.2, 8.8))
            regency.unrest = min(0.95, max(0.02, rng.gauss(province.unrest, 0.15)))
