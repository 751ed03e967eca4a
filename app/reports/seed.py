"""Built-in issue categories (seen in Kalimantan, per the domain brief); `flask init-db` loads them once."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import IssueCategory

ISSUE_CATEGORIES = [
    ("konflik-etnis-adat", "Konflik etnis dan adat"),
    ("lahan-perusahaan", "Sengketa lahan perusahaan–masyarakat"),
    ("lahan-antarwarga", "Sengketa lahan antarmasyarakat"),
    ("pertambangan", "Pertambangan"),
    ("sawit-plasma", "Perkebunan sawit dan plasma"),
    ("karhutla", "Kebakaran hutan dan lahan"),
    ("tata-ruang", "Tata ruang (RTRW)"),
    ("politik-uang", "Pemilu/pilkada: politik uang"),
    ("netralitas-asn", "Pemilu/pilkada: netralitas ASN"),
    ("ujaran-kebencian", "Pemilu/pilkada: ujaran kebencian"),
    ("hoaks", "Pemilu/pilkada: hoaks"),
    ("ormas", "Organisasi kemasyarakatan"),
    ("tenaga-kerja", "Ketenagakerjaan"),
    ("aliran-menyimpang", "Aliran/paham menyimpang"),
    ("orang-asing", "Orang asing"),
    ("bencana", "Bencana"),
    ("lainnya", "Lainnya"),
]


def load_issue_categories(session: Session) -> int:
    """Add the built-in categories that are missing (by code); edits made by administrators are kept."""
    known = set(session.scalars(select(IssueCategory.code)))
    added = 0
    for position, (code, name) in enumerate(ISSUE_CATEGORIES, start=1):
        if code not in known:
            session.add(IssueCategory(code=code, name=name, active=True, position=position))
            added += 1
    session.flush()
    return added
