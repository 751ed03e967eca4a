"""Built-in index definitions: the example questionnaires' indices and two published indices."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..surveys.models import Direction
from .models import IndexDefinition, IndexSource

IKP_REGENCY = [
    {"label": "rawan rendah", "below": 13.47},
    {"label": "rawan sedang", "below": 49.33},
    {"label": "rawan tinggi", "below": None},
]
IKP_PROVINCE = [
    {"label": "rawan rendah", "below": 21.7},
    {"label": "rawan sedang", "below": 68.5},
    {"label": "rawan tinggi", "below": None},
]
PROPOSED_BETTER = [
    {"label": "kewaspadaan rendah", "below": 60.0},
    {"label": "kewaspadaan sedang", "below": 80.0},
    {"label": "kewaspadaan tinggi", "below": None},
]

DEFINITIONS = (
    dict(
        name="Indeks Kerawanan Pilkada",
        edition="2024",
        source=IndexSource.QUESTIONNAIRE,
        direction=Direction.HIGHER_WORSE,
        bands_regency=IKP_REGENCY,
        bands_province=IKP_PROVINCE,
        reference="Diisi dari Kuesioner Kerawanan Pilkada (contoh Waspada). Batas kategori mengikuti Indeks "
        "Kerawanan Pemilu 2024 Bawaslu: kab/kota rendah < 13,47 ≤ sedang < 49,33 ≤ tinggi; provinsi "
        "rendah < 21,7 ≤ sedang < 68,5 ≤ tinggi.",
    ),
    dict(
        name="Indeks Kewaspadaan Dini Daerah",
        edition="2024",
        source=IndexSource.QUESTIONNAIRE,
        direction=Direction.HIGHER_BETTER,
        bands_regency=PROPOSED_BETTER,
        bands_province=PROPOSED_BETTER,
        reference="Diisi dari Kuesioner Kewaspadaan Dini (contoh Waspada). Batas kategori usulan Waspada "
        "(< 60 rendah, < 80 sedang, selebihnya tinggi), karena IKN tidak menerbitkan batas kategori; "
        "sesuaikan sebelum dipakai.",
    ),
    dict(
        name="Indeks Kerawanan Pemilu (IKP)",
        edition="2024",
        source=IndexSource.PUBLISHED,
        direction=Direction.HIGHER_WORSE,
        bands_regency=IKP_REGENCY,
        bands_province=IKP_PROVINCE,
        incident_weight=0.0,
        reference="Bawaslu RI, IKP 2024 (hasil terbitan dicatat manual atau diunggah).",
    ),
    dict(
        name="Indeks Kewaspadaan Nasional (IKN)",
        edition="2024",
        source=IndexSource.PUBLISHED,
        direction=Direction.HIGHER_BETTER,
        bands_regency=[],
        bands_province=[],
        incident_weight=0.0,
        reference="Kemendagri, Ditjen Polpum, IKN 2024: makin tinggi makin baik; tanpa batas kategori terbitan.",
    ),
)


def load_definitions(session: Session) -> int:
    """Add the built-in definitions that are missing (by name and edition); edits are kept."""
    added = 0
    for spec in DEFINITIONS:
        exists = session.scalar(
            select(IndexDefinition.id).where(
                IndexDefinition.name == spec["name"], IndexDefinition.edition == spec["edition"]
            )
        )
        if exists is None:
            session.add(IndexDefinition(**spec))
            added += 1
    session.flush()
    return added
