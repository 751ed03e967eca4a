"""Synthetic incidents: a real-sounding stem per kind of event (the demo's stories and a few more), filled
out with Zipf-distributed words, so search sees realistic phrases over a vocabulary of thousands of words.
"""

import bisect
import random
from datetime import date, time, timedelta

from ..demo import STORIES, VILLAGES, Story
from ..reports.models import Aspect, SourceKind, ThreatLevel
from .nation import place_name
from .vocabulary import TextMaker
from .world import Place

MORE_STORIES = (
    Story(
        Aspect.SOSBUD,
        "lahan-antarwarga",
        ThreatLevel.SEDANG,
        "Sengketa batas kebun antarwarga",
        "Dua keluarga di Desa {desa} berselisih tentang batas kebun karet warisan.",
        "Dua keluarga pemilik kebun",
        "Perselisihan keluarga berpotensi melibatkan kerabat kedua pihak.",
        "Mediasi oleh kepala desa dan tokoh adat; pengukuran ulang bersama BPN.",
    ),
    Story(
        Aspect.EKONOMI,
        "tata-ruang",
        ThreatLevel.RENDAH,
        "Warga mempertanyakan rencana tata ruang",
        "Warga Desa {desa} mempertanyakan perubahan peruntukan lahan dalam rancangan RTRW kabupaten.",
        "Warga; Bappeda; DPRD",
        "Kurangnya sosialisasi rancangan RTRW menimbulkan kecurigaan warga.",
        "Sosialisasi rancangan RTRW bersama Bappeda di tingkat kecamatan.",
    ),
    Story(
        Aspect.POLITIK,
        "ujaran-kebencian",
        ThreatLevel.SEDANG,
        "Unggahan bernada kebencian terhadap pasangan calon",
        "Akun media sosial warga Desa {desa} mengunggah konten bernada kebencian terhadap pasangan calon.",
        "Pemilik akun; pendukung pasangan calon",
        "Dapat memancing balasan antarpendukung di media sosial.",
        "Laporkan kepada Bawaslu dan unit siber Polres; imbauan tokoh masyarakat.",
    ),
    Story(
        Aspect.EKONOMI,
        "tenaga-kerja",
        ThreatLevel.SEDANG,
        "Buruh perusahaan menuntut pembayaran upah",
        "Sekitar 60 buruh perusahaan perkebunan di Desa {desa} mogok kerja menuntut upah dua bulan.",
        "Buruh; manajemen perusahaan; serikat pekerja",
        "Mogok dapat meluas ke kebun lain bila upah tidak dibayar.",
        "Fasilitasi perundingan oleh Dinas Tenaga Kerja; pantau lokasi.",
    ),
    Story(
        Aspect.HANKAM,
        "orang-asing",
        ThreatLevel.RENDAH,
        "Warga negara asing bekerja tanpa dokumen lengkap",
        "Terpantau beberapa warga negara asing bekerja di lokasi tambang dekat Desa {desa}.",
        "Warga negara asing; perusahaan pengguna",
        "Perlu pemeriksaan izin tinggal dan izin kerja.",
        "Koordinasi dengan Kantor Imigrasi dan Tim PORA kabupaten.",
    ),
    Story(
        Aspect.SOSBUD,
        "bencana",
        ThreatLevel.TINGGI,
        "Tanah longsor menutup akses jalan desa",
        "Tanah longsor menutup jalan penghubung Desa {desa} sehingga warga terisolasi.",
        "Warga terdampak; BPBD; Dinas PUPR",
        "Distribusi logistik terhambat; warga membutuhkan bantuan segera.",
        "Buka akses jalan dengan alat berat; dirikan posko bantuan.",
    ),
)
ALL_STORIES = STORIES + MORE_STORIES
POLITICAL = frozenset({"politik-uang", "hoaks", "netralitas-asn", "ujaran-kebencian"})
# Pemilu 14 Feb 2024 and Pilkada serentak 27 Nov 2024: political items crowd the months before.
ELECTIONS = (date(2024, 2, 14), date(2024, 11, 27))
SEASON_DAYS = 90
STEPS = (
    "Koordinasi dengan Forkopimda setempat.",
    "Pemantauan bersama Babinsa dan Bhabinkamtibmas.",
    "Komunikasi dengan tokoh masyarakat dan tokoh agama.",
    "Pengumpulan keterangan di lapangan oleh tim kewaspadaan dini.",
    "Melaporkan kepada pimpinan dan instansi terkait.",
)
PREDICTIONS = (
    "Diperkirakan situasi tetap kondusif bila ditangani segera.",
    "Berpotensi meluas bila tidak ada penyelesaian dalam waktu dekat.",
    "Diperkirakan mereda setelah mediasi.",
    "Perlu diwaspadai menjelang akhir pekan.",
)
SOURCE_DETAILS = ("Informasi lapangan", "Keterangan warga", "Laporan FKDM", "Pantauan media", "Keterangan aparat desa")
THREATS = (ThreatLevel.RENDAH.value, ThreatLevel.SEDANG.value, ThreatLevel.TINGGI.value)
SOURCES = tuple(s.value for s in SourceKind)


# "HH:MM:00" for every quarter hour, as `time.isoformat()` writes it.
QUARTERS = [[time(hour, minute).isoformat() for minute in (0, 15, 30, 45)] for hour in range(24)]


def _weights(season: bool) -> list[float]:
    """Cumulative story weights, political stories three times as likely in election season."""
    total, cumulative = 0.0, []
    for story in ALL_STORIES:
        total += 3.0 if season and story.category in POLITICAL else 1.0
        cumulative.append(total)
    return cumulative


def in_season(day: date) -> bool:
    """Within three months before an election."""
    return any(timedelta(0) <= election - day <= timedelta(days=SEASON_DAYS) for election in ELECTIONS)


class IncidentMaker:
    """Makes the fields of one incident as plain values (enum values, ISO dates), in the form's order.

    Millions are made, so choices use `int(random() * n)` rather than `random.choice` (twice as fast).
    """

    def __init__(self, text: TextMaker, rng: random.Random, categories: dict[str, int]):
        self.text, self.rng, self.categories = text, rng, categories
        self.calm, self.season = _weights(False), _weights(True)
        self.seasons: dict[date, list[float]] = {}

    def villages(self, regency: Place, count: int) -> list[str]:
        """Village names for a regency: Balangan's real ones (the demo's), made-up ones elsewhere."""
        if regency.code == "63.11":
            return list(VILLAGES)
        return [place_name(self.rng) for _ in range(count)]

    def incident(self, regency: Place, day: date, latest: time) -> dict:
        """One incident of `regency` on `day`, happening before `latest` (local)."""
        rnd, text = self.rng.random, self.text
        weights = self.seasons.get(day)
        if weights is None:
            weights = self.seasons[day] = self.season if in_season(day) else self.calm
        story = ALL_STORIES[bisect.bisect(weights, rnd() * weights[-1])]
        if rnd() < 0.6:
            threat = story.threat.value
        else:
            roll = rnd()
            threat = THREATS[2] if roll < 0.03 + 0.2 * regency.unrest else THREATS[1] if roll < 0.5 else THREATS[0]
        villages = regency.villages
        desa = villages[int(rnd() * len(villages))]
        if rnd() < 0.8:
            occurred, hour = day, int(rnd() * latest.hour)
        else:
            occurred, hour = day - timedelta(days=1 + (rnd() < 0.3)), int(rnd() * 24)
        kecamatan = regency.kecamatan
        return {
            "aspect": story.aspect.value,
            "category_id": self.categories.get(story.category),
            "title": story.title if rnd() < 0.5 else f"{story.title} di Desa {desa}",
            "what": f"{story.what.format(desa=desa)} {text.sentence(10, 22)}",
            "occurred_date": occurred.isoformat(),
            "occurred_time": QUARTERS[hour][int(rnd() * 4)],
            "kecamatan_id": kecamatan[int(rnd() * len(kecamatan))] if kecamatan and rnd() < 0.7 else None,
            "desa": f"Desa {desa}",
            "latitude": None,
            "longitude": None,
            "actors": story.actors,
            "how": text.sentence(5, 12) if rnd() < 0.35 else None,
            "why": text.sentence(5, 12) if rnd() < 0.3 else None,
            "source_kind": SOURCES[int(rnd() * len(SOURCES))],
            "source_detail": f"{SOURCE_DETAILS[int(rnd() * len(SOURCE_DETAILS))]} ({text.phrase(1, 3)})",
            "source_reliability": "ABBCCCD"[int(rnd() * 7)],
            "info_credibility": (1, 2, 2, 3, 3, 4)[int(rnd() * 6)],
            "analysis": f"{story.analysis} {text.sentence(5, 12)}",
            "prediction": PREDICTIONS[int(rnd() * len(PREDICTIONS))] if rnd() < 0.5 else None,
            "steps_taken": STEPS[int(rnd() * len(STEPS))],
            "recommendation": story.recommendation if rnd() < 0.6 else f"{story.recommendation} {text.sentence(4, 8)}",
            "threat_level": threat,
        }
