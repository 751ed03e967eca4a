"""Demo data: accounts for every regency of Kalimantan Tengah and Selatan and a month of daily reports.

Deterministic (seeded) so screenshots and demos look the same on every machine. The reports go
through the real services, so statuses, lateness, history and audit rows are what users would make.
"""

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock
from .auth import services as account_services
from .auth.models import Role, User
from .auth.services import UserData, actor_for
from .regions.models import Office, Region, RegionKind
from .reports import services as report_services
from .reports.models import Aspect, DailyReport, IssueCategory, SourceKind, ThreatLevel
from .reports.services import HeaderData, ItemData

DEMO_PASSWORD = "waspada-demo-2024"
FIRST_NAMES = (
    "Ahmad",
    "Siti",
    "Muhammad",
    "Nur",
    "Rahmat",
    "Dewi",
    "Hendra",
    "Yuliani",
    "Fajar",
    "Rina",
    "Syahrul",
    "Lestari",
    "Agus",
    "Normah",
    "Budi",
    "Maulida",
    "Irwan",
    "Fitriani",
    "Hairul",
    "Wahyuni",
)
LAST_NAMES = (
    "Fauzi",
    "Rahmah",
    "Hidayat",
    "Saputra",
    "Noor",
    "Anwar",
    "Maulana",
    "Kurniawan",
    "Setiawan",
    "Yusuf",
    "Ramadhan",
    "Hasanah",
    "Pratama",
    "Halim",
    "Gazali",
    "Arsyad",
    "Basuki",
    "Iskandar",
)
VILLAGES = (
    "Lajar",
    "Tanah Habang",
    "Batu Piring",
    "Mampari",
    "Kusambi",
    "Pirsus",
    "Baruh Bahinu",
    "Sungai Ketapi",
    "Muara Ninian",
    "Harus",
    "Teluk Mesjid",
    "Balida",
    "Ampukung",
    "Tawahan",
    "Sei Pandan",
    "Bawahan",
)


@dataclass(frozen=True)
class Story:
    """A kind of incident the demo reports describe."""

    aspect: Aspect
    category: str
    threat: ThreatLevel
    title: str
    what: str
    actors: str
    analysis: str
    recommendation: str


STORIES = (
    Story(
        Aspect.POLITIK,
        "politik-uang",
        ThreatLevel.SEDANG,
        "Dugaan pembagian sembako oleh tim sukses",
        "Warga melaporkan pembagian paket sembako disertai stiker salah satu pasangan calon di Desa {desa}.",
        "Tim sukses pasangan calon; warga penerima",
        "Berpotensi pelanggaran pemilihan dan gesekan antarpendukung.",
        "Teruskan kepada Bawaslu kabupaten; pantau lokasi bersama Babinsa dan Bhabinkamtibmas.",
    ),
    Story(
        Aspect.POLITIK,
        "hoaks",
        ThreatLevel.RENDAH,
        "Beredar pesan berantai hoaks di grup WhatsApp warga",
        "Pesan berantai tentang perubahan jadwal pemungutan suara beredar di grup warga Desa {desa}.",
        "Akun tidak dikenal",
        "Dapat menurunkan partisipasi pemilih bila tidak diluruskan.",
        "Klarifikasi bersama KPU kabupaten melalui kanal resmi dan tokoh masyarakat.",
    ),
    Story(
        Aspect.POLITIK,
        "netralitas-asn",
        ThreatLevel.SEDANG,
        "ASN diduga hadir dalam kampanye",
        "Dua ASN kecamatan terlihat menghadiri kampanye terbatas di balai Desa {desa}.",
        "ASN kecamatan",
        "Pelanggaran netralitas ASN dapat memicu protes pendukung lain.",
        "Laporkan kepada Bawaslu dan BKPSDM; ingatkan camat tentang netralitas ASN.",
    ),
    Story(
        Aspect.EKONOMI,
        "lahan-perusahaan",
        ThreatLevel.TINGGI,
        "Warga memblokade jalan hauling perusahaan",
        "Sekitar 80 warga Desa {desa} memblokade jalan hauling batu bara menuntut ganti rugi lahan.",
        "Warga pemilik lahan; PT tambang batu bara",
        "Tuntutan ganti rugi belum dipenuhi; risiko bentrok fisik.",
        "Mediasi oleh pemerintah kabupaten bersama perusahaan; pengamanan oleh Polres.",
    ),
    Story(
        Aspect.EKONOMI,
        "sawit-plasma",
        ThreatLevel.SEDANG,
        "Petani plasma menuntut bagi hasil",
        "Kelompok petani plasma Desa {desa} menyampaikan tuntutan bagi hasil kebun sawit kepada koperasi.",
        "Petani plasma; koperasi; perusahaan inti",
        "Ketidakjelasan bagi hasil berulang tiap panen.",
        "Fasilitasi pertemuan petani, koperasi dan Dinas Perkebunan.",
    ),
    Story(
        Aspect.EKONOMI,
        "pertambangan",
        ThreatLevel.SEDANG,
        "Aktivitas tambang tanpa izin di bantaran sungai",
        "Terpantau aktivitas penambangan tanpa izin di bantaran sungai dekat Desa {desa}.",
        "Penambang perorangan",
        "Merusak lingkungan dan memicu konflik dengan warga hilir.",
        "Koordinasi dengan Dinas Lingkungan Hidup dan aparat penegak hukum.",
    ),
    Story(
        Aspect.SOSBUD,
        "konflik-etnis-adat",
        ThreatLevel.SEDANG,
        "Perselisihan pemuda antarkampung",
        "Terjadi perkelahian pemuda dua kampung setelah acara hiburan malam di Desa {desa}.",
        "Pemuda dua kampung",
        "Rawan berlanjut bila tidak ada penyelesaian adat.",
        "Mediasi tokoh adat dan tokoh agama; patroli malam.",
    ),
    Story(
        Aspect.SOSBUD,
        "aliran-menyimpang",
        ThreatLevel.RENDAH,
        "Pengajian kelompok baru dikeluhkan warga",
        "Warga Desa {desa} mengeluhkan pengajian tertutup oleh kelompok yang baru datang.",
        "Kelompok pengajian pendatang",
        "Perlu pendalaman; belum ada indikasi ajaran menyimpang.",
        "Pendalaman bersama Kemenag dan FKUB.",
    ),
    Story(
        Aspect.SOSBUD,
        "bencana",
        ThreatLevel.SEDANG,
        "Banjir merendam permukiman",
        "Banjir setinggi 50 cm merendam sekitar 120 rumah di Desa {desa} setelah hujan deras.",
        "Warga terdampak; BPBD",
        "Potensi keluhan bantuan bila distribusi lambat.",
        "Percepat distribusi bantuan dan data warga terdampak.",
    ),
    Story(
        Aspect.HANKAM,
        "karhutla",
        ThreatLevel.TINGGI,
        "Kebakaran lahan gambut",
        "Titik api terpantau di lahan gambut sekitar 5 hektare dekat Desa {desa}.",
        "Belum diketahui; Manggala Agni; BPBD",
        "Musim kemarau; asap dapat mengganggu kesehatan dan penerbangan.",
        "Siagakan tim pemadam; sosialisasi larangan membakar lahan.",
    ),
    Story(
        Aspect.HANKAM,
        "ormas",
        ThreatLevel.SEDANG,
        "Ormas berencana unjuk rasa",
        "Sebuah ormas memberitahukan rencana unjuk rasa ke kantor DPRD terkait perizinan tambang.",
        "Pengurus ormas",
        "Unjuk rasa damai bila dikawal; rawan disusupi.",
        "Koordinasi pengamanan dengan Polres; fasilitasi audiensi.",
    ),
    Story(
        Aspect.IDEOLOGI,
        "lainnya",
        ThreatLevel.RENDAH,
        "Bendera organisasi terlarang di media sosial",
        "Akun media sosial warga Desa {desa} mengunggah simbol organisasi terlarang.",
        "Pemilik akun",
        "Perlu klarifikasi; kemungkinan ketidaktahuan.",
        "Klarifikasi bersama aparat desa dan pembinaan wawasan kebangsaan.",
    ),
)


def _slug(name: str) -> str:
    """'Kab. Hulu Sungai Selatan' → 'hulusungaiselatan'."""
    return re.sub(r"[^a-z]", "", name.lower().removeprefix("kab. ").removeprefix("kota "))


def seed_accounts(session: Session, rng: random.Random) -> dict[int, User]:
    """An operator for every kabupaten/kota of 62 and 63, and an analyst for Kalimantan Tengah."""
    regencies = session.scalars(
        select(Region).where(Region.kind.in_([RegionKind.KABUPATEN, RegionKind.KOTA])).order_by(Region.code)
    ).all()
    operators = {}
    for regency in regencies:
        username = "operator.balangan" if regency.code == "63.11" else f"operator.{_slug(regency.name)}"
        user = account_services.find_by_username(session, username)
        if user is None:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            phone = f"08{rng.randint(11, 13)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            data = UserData(
                full_name=name, role=Role.OPERATOR, region_id=regency.id, jabatan="Operator PUSKOMIN", phone=phone
            )
            user = account_services.create_user(session, username, data, DEMO_PASSWORD, must_change=False)
        operators[regency.id] = user
    if account_services.find_by_username(session, "analis.kalteng") is None:
        kalteng = session.scalars(select(Region).where(Region.code == "62")).one()
        data = UserData(
            full_name="Yohanes Dwi Saputra",
            role=Role.PROVINSI,
            region_id=kalteng.id,
            jabatan="Analis Kewaspadaan Nasional",
        )
        account_services.create_user(session, "analis.kalteng", data, DEMO_PASSWORD, must_change=False)
    session.flush()
    return operators


def seed_offices(session: Session) -> None:
    """Letterhead details of the Kalsel and Balangan offices, so printed letters have a signature block."""
    kalsel = session.scalars(select(Region).where(Region.code == "63")).one()
    balangan = session.scalars(select(Region).where(Region.code == "63.11")).one()
    if session.scalars(select(Office).where(Office.region_id == balangan.id)).first() is None:
        session.add(
            Office(
                region=balangan,
                name="Badan Kesatuan Bangsa dan Politik",
                city="Paringin",
                head_name="Drs. H. Rahmat Hidayat",
                head_nip="196801011990031001",
                head_title="Kepala Badan",
                report_deadline=time(12, 0),
                report_grace_minutes=0,
            )
        )
    if session.scalars(select(Office).where(Office.region_id == kalsel.id)).first() is None:
        session.add(
            Office(
                region=kalsel,
                name="Badan Kesatuan Bangsa dan Politik",
                city="Banjarbaru",
                head_name="Drs. H. Bambang Wijaya",
                head_nip="196801011990031001",
                head_title="Kepala Badan",
                report_deadline=time(12, 0),
                report_grace_minutes=0,
            )
        )
        session.flush()


def seed_reports(session: Session, days: int = 30, seed: int = 2024) -> int:
    """A month of daily reports for every regency of 62 and 63; returns how many were made."""
    rng = random.Random(seed)
    operators = seed_accounts(session, rng)
    if session.scalar(select(DailyReport.id).limit(1)) is not None:
        return 0  # reports exist: leave them alone
    analysts = {
        code: account_services.find_by_username(session, name)
        for code, name in (("62", "analis.kalteng"), ("63", "analis.kalsel"))
    }
    categories = {c.code: c.id for c in session.scalars(select(IssueCategory))}
    made = 0
    for region_id, operator in sorted(operators.items()):
        region = session.get(Region, region_id)
        today = clock.local_today(region.timezone)
        analyst = analysts.get(region.province_code)
        for offset in range(days, -1, -1):
            day = today - timedelta(days=offset)
            made += _seed_day(session, rng, operator, analyst, region, day, today, categories)
    return made


def _at(day: date, hour: int, minute: int, zone: str) -> datetime:
    """A local time on `day` as a UTC moment."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def _seed_day(session, rng, operator, analyst, region, day, today, categories) -> int:
    """One regency-day: missing, draft, nihil, or a report with items; late, returned and verified sometimes."""
    audit.set_actor(session, actor_for(operator, via="demo"))
    roll = rng.random()
    is_today = day == today
    if roll < 0.05 or (is_today and roll < 0.45):
        return 0  # not reported (yet)
    report = report_services.start_report(session, operator, region, day, today)
    late = rng.random() < 0.12
    hour = rng.randint(13, 21) if late else rng.randint(7, 11)
    submitted = _at(day, hour, rng.randint(0, 59), region.timezone)
    if late and rng.random() < 0.3:
        submitted += timedelta(days=1)
    now = clock.utcnow()
    submitted = min(submitted, now)
    report.created_at = submitted - timedelta(minutes=rng.randint(15, 90))
    last_event_hour = max(0, min(hour, submitted.astimezone(ZoneInfo(region.timezone)).hour) - 1)
    if roll < 0.08:
        report_services.save_header(
            session, report, operator, HeaderData(1, "Draf belum selesai.", report.classification), None
        )
        return 1
    if roll < 0.33:
        report_services.file_nihil(session, operator, region, day, today, submitted)
        _review(session, rng, report, analyst, submitted, now, day, today)
        return 1
    stories = rng.sample(STORIES, k=rng.choice((1, 1, 2, 2, 3)))
    level = 3 if any(s.threat == ThreatLevel.TINGGI for s in stories) else rng.choice((1, 1, 2))
    summary = "Situasi secara umum kondusif." if level == 1 else "Perlu kewaspadaan terhadap perkembangan isu di bawah."
    report_services.save_header(session, report, operator, HeaderData(level, summary, report.classification), None)
    for story in stories:
        desa = rng.choice(VILLAGES)
        data = ItemData(
            aspect=story.aspect,
            category_id=categories.get(story.category),
            title=story.title,
            what=story.what.format(desa=desa),
            occurred_date=day,
            occurred_time=time(rng.randint(max(0, last_event_hour - 6), last_event_hour), rng.choice((0, 15, 30, 45))),
            kecamatan_id=None,
            desa=f"Desa {desa}",
            latitude=None,
            longitude=None,
            actors=story.actors,
            how=None,
            why=None,
            source_kind=rng.choice(list(SourceKind)),
            source_detail="Informasi lapangan",
            source_reliability=rng.choice("ABBCC"),
            info_credibility=rng.choice((1, 2, 2, 3)),
            analysis=story.analysis,
            prediction=None,
            steps_taken="Koordinasi dengan Forkopimda setempat.",
            recommendation=story.recommendation,
            threat_level=story.threat,
        )
        report_services.add_item(session, report, operator, data)
    report_services.submit_report(session, report, operator, submitted)
    _review(session, rng, report, analyst, submitted, now, day, today)
    return 1


def _review(session, rng, report, analyst, submitted, now, day, today) -> None:
    """Most older reports are verified; a few are returned (and some of those resubmitted)."""
    if analyst is None or day >= today - timedelta(days=1):
        return
    audit.set_actor(session, actor_for(analyst, via="demo"))
    reviewed = min(submitted + timedelta(hours=rng.randint(2, 20)), now)
    if rng.random() < 0.06:
        report_services.return_report(
            session, report, analyst, reviewed, ["fakta"], "Mohon lengkapi kronologi kejadian."
        )
        if rng.random() < 0.6:
            operator = session.get(User, report.author_id)
            audit.set_actor(session, actor_for(operator, via="demo"))
            report_services.submit_report(session, report, operator, min(reviewed + timedelta(hours=3), now))
        return
    if rng.random() < 0.9:
        report_services.verify_report(session, report, analyst, reviewed)


PEOPLE = (
    ("AKBP Yudha Pranata", "Kapolres", "Polres Balangan", "polri", "L"),
    ("Letkol Inf. Arif Budiman", "Dandim", "Kodim 1001", "tni", "L"),
    ("Drs. Fahrurrazi", "Kepala Kejaksaan Negeri", "Kejari Balangan", "kejaksaan", "L"),
    ("H. Mukhlis", "Ketua", "FKUB Balangan", "fkub", "L"),
    ("Hj. Siti Normah", "Ketua", "FKDM Balangan", "fkdm", "P"),
    ("Dewi Lestari", "Komisioner", "KPU Balangan", "penyelenggara", "P"),
    ("Rahmadi", "Ketua", "Bawaslu Balangan", "penyelenggara", "L"),
    ("Hendra Saputra", "Camat", "Kecamatan Paringin", "pemdes", "L"),
    ("Nurul Hidayah", "Wartawan", "Radar Banjarmasin", "media", "P"),
    ("Ustadz Abdullah", "Tokoh agama", "MUI Balangan", "tokoh_agama", "L"),
)


def seed_meetings(session: Session) -> int:
    """Two coordination meetings of Kab. Balangan: last month's (final, with follow-ups) and next week's."""
    from .meetings import services as meeting_services
    from .meetings.models import Meeting, MeetingKind, Sex
    from .meetings.services import FollowUpData, MeetingData, MinutesData, PersonData

    if session.scalar(select(Meeting.id).limit(1)) is not None:
        return 0
    facilitator = account_services.find_by_username(session, "fasilitator.balangan")
    balangan = session.scalars(select(Region).where(Region.code == "63.11")).one()
    audit.set_actor(session, actor_for(facilitator, via="demo"))
    zone = ZoneInfo(balangan.timezone)
    today = clock.local_today(balangan.timezone)
    last = meeting_services.create_meeting(
        session,
        facilitator,
        balangan,
        MeetingData(
            "Rakor Tim Kewaspadaan Dini Kabupaten Balangan",
            MeetingKind.RAKOR_KEWASPADAAN,
            datetime.combine(today - timedelta(days=21), time(9, 0), zone),
            datetime.combine(today - timedelta(days=21), time(12, 0), zone),
            "Aula Kantor Kesbangpol Balangan",
            "Badan Kesbangpol Kab. Balangan",
            "Drs. H. Rahmat Hidayat",
            "Kepala Badan Kesbangpol",
            "196801011990031001",
            "Siti Rahmah",
            "Fasilitator Tim Kewaspadaan Dini",
            None,
        ),
    )
    for title, presenter in (
        ("Pembukaan", "Kepala Badan Kesbangpol"),
        ("Situasi kamtibmas menjelang pilkada", "Kapolres"),
        ("Kesiapan penyelenggaraan", "KPU dan Bawaslu"),
    ):
        meeting_services.add_agenda(session, last, facilitator, title, presenter)
    for name, jabatan, instansi, unsur, sex in PEOPLE:
        row = meeting_services.add_new_attendee(
            session, last, facilitator, PersonData(name, jabatan, instansi, unsur, Sex(sex), None)
        )
        meeting_services.set_present(session, row, facilitator, name != "Rahmadi")
    meeting_services.save_minutes(
        session,
        last,
        facilitator,
        MinutesData(
            "Rapat dibuka oleh Kepala Badan Kesbangpol pukul 09.10 WITA.",
            "1. Patroli gabungan TNI/Polri menjelang hari tenang\n2. Sosialisasi netralitas ASN di setiap kecamatan\n"
            "3. Pengisian kuesioner kerawanan pilkada oleh peserta",
            "Perkuat deteksi dini di desa rawan politik uang.",
            "Rapat ditutup pukul 11.45 WITA.",
            "Bulan depan, membahas evaluasi pelaksanaan pilkada.",
        ),
        {last.agenda[1].id: ("Kapolres: situasi kondusif; ada laporan pembagian sembako di dua desa.")},
        None,
    )
    for description, responsible, days in (
        ("Patroli gabungan menjelang hari tenang", "Polres Balangan", -3),
        ("Sosialisasi netralitas ASN", "BKPSDM Kab. Balangan", 10),
    ):
        meeting_services.add_follow_up(
            session,
            last,
            facilitator,
            FollowUpData(description, responsible, balangan.id, today + timedelta(days=days), conclusion=description),
        )
    meeting_services.finalize(session, last, facilitator, clock.utcnow())
    upcoming = meeting_services.create_meeting(
        session,
        facilitator,
        balangan,
        MeetingData(
            "Rakor Penanganan Konflik Sengketa Lahan",
            MeetingKind.RAKOR_KONFLIK,
            datetime.combine(today + timedelta(days=7), time(9, 0), zone),
            None,
            "Ruang Rapat Sekretariat Daerah",
            "Badan Kesbangpol Kab. Balangan",
        ),
    )
    meeting_services.add_agenda(session, upcoming, facilitator, "Kronologi sengketa lahan PT–warga", "Camat Juai")
    session.flush()
    return 2


# Vulnerability levels (0 calm … 1 very vulnerable) of the Kalsel regencies' demo questionnaire forms,
# and how many forms each returned; Tanah Bumbu returns too few to be ranked.
SURVEY_LEVELS = {
    "63.01": (0.22, 18),
    "63.02": (0.35, 16),
    "63.03": (0.28, 20),
    "63.04": (0.45, 14),
    "63.05": (0.18, 12),
    "63.06": (0.30, 15),
    "63.07": (0.52, 22),
    "63.08": (0.40, 17),
    "63.09": (0.25, 13),
    "63.10": (0.08, 7),
    "63.11": (0.33, 24),
    "63.71": (0.47, 19),
    "63.72": (0.12, 11),
}
UNSUR_MIX = ("asn", "tni", "polri", "tokoh_agama", "tokoh_masyarakat", "ormas", "okp", "akademisi", "media")


def synthetic_answers(questions, level: float, rng: random.Random) -> dict[int, str]:
    """Answers whose normalised scores scatter around `level` (text questions are mostly left blank).

    Each question gets the possible answer whose 0–100 score (as scoring.normalise reads it, reversed
    questions included) is closest to a noisy target, so the demo behaves like real paper forms.
    """
    from .scoring.scoring import QuestionSpec, normalise

    answers = {}
    for question in questions:
        qtype = question.qtype.value
        if qtype == "text":
            if rng.random() < 0.2:
                answers[question.id] = rng.choice(("Perlu sosialisasi lebih awal.", "Koordinasi sudah baik."))
            continue
        if rng.random() < 0.03:
            continue  # an unanswered question now and then
        settings = question.settings or {}
        if qtype == "scale":
            candidates = ["1", "2", "3", "4", "5"]
        elif qtype == "choice":
            candidates = [str(n) for n in range(1, len(settings.get("options", [])) + 1)]
        elif qtype == "yesno":
            candidates = ["ya", "tidak"]
        else:
            low, high = settings.get("min") or 0, settings.get("max") or 10
            candidates = [str(round(low + (high - low) * step / 10)) for step in range(11)]
        spec = QuestionSpec(question.id, None, qtype, settings, question.reversed)
        target = min(1.0, max(0.0, rng.gauss(level, 0.18))) * 100
        scored = [(abs((normalise(spec, c) or 0) - target), c) for c in candidates]
        answers[question.id] = min(scored)[1]
    return answers


def seed_surveys(
    session: Session, seed: int = 2024, analyst_name: str = "analis.kalsel", levels: dict | None = None
) -> int:
    """A closed round of the example Kerawanan Pilkada questionnaire in every Kalsel regency, with forms
    entered as an analyst would (completed, first entries); returns the number of forms."""
    from .scoring.rollup import refresh_form_score
    from .surveys.models import Answer, Response, Round, RoundStatus, Survey

    if session.scalar(select(Round.id).limit(1)) is not None:
        return 0
    example = select(Survey).where(Survey.index_name == "Indeks Kerawanan Pilkada", Survey.is_example)
    survey = session.scalars(example).first()
    analyst = account_services.find_by_username(session, analyst_name)
    if survey is None or analyst is None:
        return 0
    audit.set_actor(session, actor_for(analyst, via="demo"))
    rng = random.Random(seed)
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(list(levels or SURVEY_LEVELS))))}
    now = clock.utcnow()
    questions = list(survey.questions)
    forms = 0
    for code, (level, count) in (levels or SURVEY_LEVELS).items():
        region = regions.get(code)
        if region is None:
            continue
        round_ = Round(
            survey=survey,
            region=region,
            title=f"Survei kerawanan Pilkada {region.name}",
            expected_forms=max(count, 10),
            status=RoundStatus.CLOSED,
            closed_at=now,
            created_by_id=analyst.id,
        )
        session.add(round_)
        for number in range(1, count + 1):
            answers = synthetic_answers(questions, level, rng)
            response = Response(
                round=round_,
                number=number,
                unsur=rng.choice(UNSUR_MIX),
                sex=rng.choice("LP"),
                age_band=rng.choice(("17-25", "26-35", "36-45", "46-55", "56+")),
                completed=True,
                entered_by_id=analyst.id,
            )
            response.answers = [Answer(question_id=qid, value=value, valid=True) for qid, value in answers.items()]
            session.add(response)
            refresh_form_score(response)
            forms += 1
    session.flush()
    return forms


def settle_notifications(session: Session) -> int:
    """Mark the demo month's notifications read, as if the analysts had kept up; those about today stay new.

    They were all made just now by the services, so the report date in their title tells them apart.
    """
    from sqlalchemy import update

    from .notifications.models import Notification
    from .ui import format_short_date

    today = format_short_date(clock.local_today("Asia/Makassar"))
    result = session.execute(
        update(Notification)
        .where(Notification.read_at.is_(None), Notification.title.not_like(f"%{today}%"))
        .values(read_at=clock.utcnow())
    )
    return result.rowcount or 0
