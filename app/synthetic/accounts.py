"""Accounts and offices for all Indonesia: operators and a facilitator per regency, analysts and a pimpinan
per province, one administrator; all share one password, hashed once (scrypt per user would take minutes).
"""

import random
import re
import secrets
from datetime import timedelta

from ..auth.models import Role, User
from ..demo import FIRST_NAMES, LAST_NAMES
from ..regions.models import Office
from .world import Person, Place, World

MORE_FIRST_NAMES = (
    "Andi",
    "Wayan",
    "Made",
    "Ketut",
    "Yohanes",
    "Maria",
    "Agustinus",
    "Putu",
    "Teuku",
    "Cut",
    "Rizky",
    "Indah",
    "Eko",
    "Sri",
    "Bambang",
    "Ratna",
    "Yosef",
    "Fransiska",
    "Hasan",
    "Aisyah",
    "Daniel",
    "Kristina",
    "Arief",
    "Mega",
    "La Ode",
    "Wa Ode",
    "Gede",
    "Novita",
    "Samuel",
    "Theresia",
)
MORE_LAST_NAMES = (
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Sinaga",
    "Simanjuntak",
    "Wijaya",
    "Gunawan",
    "Tanjung",
    "Manurung",
    "Pattiasina",
    "Latuconsina",
    "Rumbiak",
    "Wonda",
    "Mandagi",
    "Lumban",
    "Putra",
    "Putri",
    "Suryadi",
    "Hakim",
    "Rahman",
    "Effendi",
    "Sulaiman",
    "Tamba",
    "Ginting",
    "Sembiring",
    "Tarigan",
)
GIVEN = FIRST_NAMES + MORE_FIRST_NAMES
FAMILY = LAST_NAMES + MORE_LAST_NAMES
# The demo's familiar log-ins keep their names (README); every other account is named by its region code.
NAMED = {
    ("analis", "63"): "analis.kalsel",
    ("analis", "62"): "analis.kalteng",
    ("pimpinan", "63"): "pimpinan.kalsel",
    ("operator", "63.11"): "operator.balangan",
    ("fasilitator", "63.11"): "fasilitator.balangan",
}
USER_COLUMNS = [
    "id",
    "username",
    "full_name",
    "nip",
    "jabatan",
    "phone",
    "email",
    "email_notifications",
    "role",
    "region_id",
    "active",
    "password_hash",
    "session_token",
    "must_change_password",
    "failed_logins",
    "locked_until",
    "last_login_at",
    "created_at",
    "updated_at",
    "version",
]
OFFICE_COLUMNS = [
    "id",
    "region_id",
    "name",
    "address",
    "city",
    "phone",
    "email",
    "head_name",
    "head_nip",
    "head_title",
    "report_deadline",
    "report_grace_minutes",
    "version",
]


def person_name(rng: random.Random) -> str:
    """'Siti Rahmah'."""
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def nip(rng: random.Random) -> str:
    """An 18-digit NIP shape: birth date, appointment month, sex, serial."""
    return (
        f"19{rng.randint(62, 95)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        f"20{rng.randint(5, 20):02d}{rng.randint(1, 12):02d}{rng.randint(1, 2)}{rng.randint(1, 20):03d}"
    )


def phone(rng: random.Random) -> str:
    """'0812-3456-7890'."""
    return f"08{rng.randint(11, 59)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def _slug(name: str) -> str:
    """'Kab. Hulu Sungai Selatan' → 'hulusungaiselatan' (the demo's operator names)."""
    return re.sub(r"[^a-z]", "", name.lower().removeprefix("kab. ").removeprefix("kota "))


def username(kind: str, place: Place, builtin: bool) -> str:
    """The log-in name: the demo's where it has one, else by code ('operator.3204', 'analis.32')."""
    if (kind, place.code) in NAMED:
        return NAMED[(kind, place.code)]
    if builtin and kind == "operator":
        return f"operator.{_slug(place.name)}"
    return f"{kind}.{place.code.replace('.', '')}"


def make_accounts(world: World, password_hash: str, builtin_codes: set[str]) -> dict[str, int]:
    """Insert every account; returns the number made per role."""
    writer, plan = world.writer, world.plan
    rng = plan.rng("accounts")
    writer.table(User.__table__, USER_COLUMNS)
    next_id = writer.next_id(User.__table__)
    made: dict[str, int] = {}
    start = plan.now - timedelta(days=plan.days + 30)

    def add(kind: str, role: Role, place: Place | None, jabatan: str, name: str | None = None) -> Person:
        """One account (all share the password hash; each has its own session token)."""
        nonlocal next_id
        login = "admin" if place is None else username(kind, place, place.code[:2] in builtin_codes)
        full_name = name or person_name(rng)
        seen = plan.now - timedelta(hours=rng.uniform(1, 24 * 14))
        writer.add(
            "users",
            (
                next_id,
                login,
                full_name,
                nip(rng) if role != Role.ADMIN else None,
                jabatan,
                phone(rng),
                None,
                True,
                role.value,
                place.id if place else None,
                True,
                password_hash,
                secrets.token_urlsafe(32),
                False,
                0,
                None,
                writer.moment(seen),
                writer.moment(start),
                writer.moment(start),
                1,
            ),
        )
        next_id += 1
        made[role.value] = made.get(role.value, 0) + 1
        return Person(next_id - 1, login, full_name)

    world.admin = add("admin", Role.ADMIN, None, "Administrator", "Administrator Sistem")
    for province in world.provinces:
        province.analysts = [
            add("analis" if n == 0 else "analis2", Role.PROVINSI, province, "Analis Kewaspadaan Nasional")
            for n in range(2)
        ]
        add("pimpinan", Role.PIMPINAN, province, "Kepala Badan Kesbangpol")
        for regency in province.regencies:
            count = 2 if rng.random() < 0.3 else 1
            regency.operators = [
                add("operator" if n == 0 else "operator2", Role.OPERATOR, regency, "Operator PUSKOMIN")
                for n in range(count)
            ]
            regency.facilitator = add("fasilitator", Role.FASILITATOR, regency, "Fasilitator Tim Kewaspadaan Dini")
    return made


def make_offices(world: World, capitals: dict[str, str]) -> None:
    """A letterhead for every province and regency office; provinces carry the report deadline."""
    writer = world.writer
    rng = world.plan.rng("offices")
    writer.table(Office.__table__, OFFICE_COLUMNS)
    next_id = writer.next_id(Office.__table__)
    for province in world.provinces:
        for place in [province, *province.regencies]:
            place.head_name = f"Drs. {person_name(rng)}"
            city = capitals.get(place.code, place.short_name)
            deadline = province.deadline
            writer.add(
                "offices",
                (
                    next_id,
                    place.id,
                    "Badan Kesatuan Bangsa dan Politik",
                    f"Jl. {rng.choice(FAMILY)} No. {rng.randint(1, 120)}, {city}",
                    city,
                    f"(0{rng.randint(21, 986)}) {rng.randint(100000, 999999)}",
                    None,
                    place.head_name,
                    nip(rng),
                    "Kepala Badan",
                    writer.clock(deadline),
                    province.grace_minutes if place is province else 0,
                    1,
                ),
            )
            next_id += 1
