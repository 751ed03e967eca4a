"""Coordination meetings: a participant registry per region, about two meetings a month per regency (and
per province), with agenda, attendance, minutes for those held, and follow-ups (some done, some overdue).
"""

from datetime import date, datetime, time, timedelta

from ..meetings.models import AgendaItem, Attendance, FollowUp, Meeting, Participant
from .accounts import person_name, phone
from .world import Place, World

PARTICIPANT_COLUMNS = ["id", "region_id", "name", "jabatan", "instansi", "unsur", "sex", "phone", "created_at"]
MEETING_COLUMNS = [
    "id",
    "region_id",
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "organizer",
    "chair_name",
    "chair_title",
    "chair_nip",
    "secretary_name",
    "secretary_title",
    "secretary_nip",
    "opening",
    "conclusions",
    "recommendations",
    "closing",
    "next_meeting",
    "status",
    "created_by_id",
    "created_at",
    "updated_at",
    "finalized_at",
    "finalized_by_id",
    "version",
]
AGENDA_COLUMNS = ["id", "meeting_id", "position", "title", "presenter", "discussion"]
ATTENDANCE_COLUMNS = ["id", "meeting_id", "participant_id", "position", "present"]
FOLLOW_UP_COLUMNS = [
    "id",
    "meeting_id",
    "region_id",
    "conclusion",
    "description",
    "responsible",
    "due_date",
    "status",
    "evidence",
    "done_at",
    "created_at",
    "updated_at",
    "version",
]
# unsur → (jabatan, instansi pattern); {r} is the region's short name.
ROLES = (
    ("asn", "Kepala Bidang Kewaspadaan", "Badan Kesbangpol {r}"),
    ("asn", "Kepala Dinas", "Dinas Sosial {r}"),
    ("tni", "Dandim", "Kodim {r}"),
    ("tni", "Pasi Intel", "Kodim {r}"),
    ("polri", "Kapolres", "Polres {r}"),
    ("polri", "Kasat Intelkam", "Polres {r}"),
    ("kejaksaan", "Kasi Intelijen", "Kejaksaan Negeri {r}"),
    ("bin", "Anggota", "BINDA"),
    ("pemdes", "Camat", "Kecamatan {r}"),
    ("pemdes", "Kepala Desa", "Pemerintah Desa"),
    ("fkdm", "Ketua", "FKDM {r}"),
    ("fkub", "Ketua", "FKUB {r}"),
    ("tokoh_agama", "Tokoh agama", "MUI {r}"),
    ("tokoh_masyarakat", "Tokoh adat", "Lembaga Adat {r}"),
    ("ormas", "Ketua", "Ormas kepemudaan {r}"),
    ("okp", "Ketua", "KNPI {r}"),
    ("akademisi", "Dosen", "Universitas {r}"),
    ("media", "Wartawan", "Media lokal {r}"),
    ("mahasiswa", "Ketua", "BEM {r}"),
    ("penyelenggara", "Komisioner", "KPU {r}"),
    ("penyelenggara", "Ketua", "Bawaslu {r}"),
    ("lainnya", "Perwakilan", "Perusahaan {r}"),
)
KINDS = (("rakor_kewaspadaan", 6), ("rakor_konflik", 2), ("sosialisasi", 2), ("lainnya", 1))
TITLES = {
    "rakor_kewaspadaan": "Rakor Tim Kewaspadaan Dini {r}",
    "rakor_konflik": "Rakor Penanganan Konflik {topic}",
    "sosialisasi": "Sosialisasi {topic}",
    "lainnya": "Rapat Koordinasi {topic}",
}
TOPICS = (
    "Sengketa Lahan",
    "Netralitas ASN",
    "Pencegahan Karhutla",
    "Kerukunan Umat Beragama",
    "Bahaya Hoaks",
    "Pengawasan Orang Asing",
    "Konflik Perkebunan",
    "Kamtibmas Menjelang Pilkada",
    "Penanganan Bencana",
)
AGENDA = ("Situasi kamtibmas terkini", "Perkembangan isu menonjol", "Kesiapan pengamanan", "Evaluasi tindak lanjut")
CONCLUSIONS = (
    "Patroli gabungan TNI/Polri di wilayah rawan",
    "Sosialisasi kepada masyarakat melalui tokoh agama dan tokoh adat",
    "Mediasi para pihak yang bersengketa",
    "Pendataan warga terdampak dan penyaluran bantuan",
    "Penguatan deteksi dini oleh FKDM di tingkat desa",
    "Koordinasi dengan perusahaan tentang tuntutan warga",
)


class MeetingMaker:
    """Makes the registry, then the meetings of every region in date order."""

    def __init__(self, world: World):
        self.world, self.writer, self.now = world, world.writer, world.plan.now
        self.rng = world.plan.rng("meetings")
        self.text = world.text(self.rng)
        for model, columns in (
            (Participant, PARTICIPANT_COLUMNS),
            (Meeting, MEETING_COLUMNS),
            (AgendaItem, AGENDA_COLUMNS),
            (Attendance, ATTENDANCE_COLUMNS),
            (FollowUp, FOLLOW_UP_COLUMNS),
        ):
            self.writer.table(model.__table__, columns)
        self.ids = {
            model: self.writer.next_id(model.__table__)
            for model in (Participant, Meeting, AgendaItem, Attendance, FollowUp)
        }
        self.registry: dict[int, list[tuple[int, str, str]]] = {}
        # Held meetings per region (id, start): questionnaire rounds are filled in at meetings.
        self.held: dict[int, list[tuple[int, datetime]]] = {}

    def _id(self, model) -> int:
        """The next id of a table."""
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def run(self, days: int) -> None:
        """Registry and meetings for every province and regency: ~1.8 a month per regency, 2 per province."""
        rng = self.rng
        places = [place for p in self.world.provinces for place in (p, *p.regencies)]
        for place in places:
            self.participants(place, 70 if place.province is None else rng.randint(35, 65))
        meetings = []
        for place in places:
            rate = 2.0 if place.province is None else 1.8
            count = max(1, round(rng.gauss(rate * days / 30.4, 1 + 0.1 * rate * days / 30.4)))
            for _ in range(count):
                back = rng.uniform(-30, days)  # some are planned for the coming month
                meetings.append((place.today - timedelta(days=int(back)), rng.random(), place))
        meetings.sort(key=lambda m: (m[0], m[1]))
        for day, _, place in meetings:
            self.meeting(place, day)
        self.writer.commit()

    def participants(self, place: Place, count: int) -> None:
        """The people a region's office invites."""
        rng, moment = self.rng, self.writer.moment
        created = moment(self.now - timedelta(days=self.world.plan.days + 60))
        people = []
        for _ in range(count):
            unsur, jabatan, instansi = rng.choice(ROLES)
            name, pid = person_name(rng), self._id(Participant)
            instansi = instansi.format(r=place.short_name)
            sex = "L" if rng.random() < 0.75 else "P"
            self.writer.add("participants", (pid, place.id, name, jabatan, instansi, unsur, sex, phone(rng), created))
            people.append((pid, f"{jabatan} {instansi}", instansi))
        self.registry[place.id] = people

    def meeting(self, place: Place, day: date) -> None:
        """One meeting; past ones have attendance marked, minutes, and follow-ups."""
        rng, moment, now = self.rng, self.writer.moment, self.now
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        starts = place.utc(day, time(9, 0) if rng.random() < 0.7 else time(13, 30))
        ends = starts + timedelta(hours=rng.choice((2, 2.5, 3)))
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        topic = rng.choice(TOPICS)
        title = TITLES[kind].format(r=place.short_name, topic=topic)
        past = ends < now
        recent = now - ends < timedelta(days=14)
        status = (
            "planned" if not past else ("held" if (recent and rng.random() < 0.6) or rng.random() < 0.05 else "final")
        )
        secretary = place.facilitator or place.analysts[0]
        created = starts - timedelta(days=rng.randint(3, 14))
        finalized = min(now, ends + timedelta(days=rng.uniform(0.5, 5))) if status == "final" else None
        conclusions = rng.sample(CONCLUSIONS, rng.randint(2, 4)) if past else []
        meeting_id = self._id(Meeting)
        self.writer.add(
            "meetings",
            (
                meeting_id,
                place.id,
                title,
                kind,
                moment(starts),
                moment(ends),
                f"Aula Kantor Kesbangpol {place.short_name}"
                if rng.random() < 0.6
                else "Ruang Rapat Sekretariat Daerah",
                f"Badan Kesbangpol {place.name}",
                place.head_name,
                "Kepala Badan Kesbangpol",
                None,
                secretary.full_name,
                "Fasilitator Tim Kewaspadaan Dini",
                None,
                f"Rapat dibuka oleh {place.head_name}." if past else None,
                "\n".join(f"{n}. {c}" for n, c in enumerate(conclusions, start=1)) or None,
                self.text.sentence(6, 14) if past else None,
                "Rapat ditutup dengan doa bersama." if past else None,
                "Bulan depan, evaluasi tindak lanjut." if past else None,
                status,
                secretary.id,
                moment(created),
                moment(finalized or (ends if past else created)),
                moment(finalized),
                secretary.id if finalized else None,
                1 + (3 if past else 1),
            ),
        )
        people = self.registry[place.id]
        for position in range(1, rng.randint(3, 5) + 1):
            presenter = rng.choice(people)[1]
            agenda = "Pembukaan" if position == 1 else rng.choice(AGENDA)
            discussion = self.text.sentence(15, 35) if past and position > 1 else None
            self.writer.add("agenda_items", (self._id(AgendaItem), meeting_id, position, agenda, presenter, discussion))
        invited = rng.sample(people, min(len(people), rng.randint(16, 30)))
        for position, (pid, _, _) in enumerate(invited, start=1):
            present = (rng.random() < 0.85) if past else None
            self.writer.add("attendance", (self._id(Attendance), meeting_id, pid, position, present))
        if past:
            self.held.setdefault(place.id, []).append((meeting_id, starts))
            for conclusion in conclusions[: rng.choice((0, 1, 1, 2, 2, 3))]:
                self.follow_up(place, meeting_id, ends, conclusion, rng.choice(invited)[2])

    def follow_up(self, place: Place, meeting_id: int, ends: datetime, conclusion: str, responsible: str) -> None:
        """A tracked action: old ones mostly done, some left overdue; recent ones open."""
        rng, moment, now = self.rng, self.writer.moment, self.now
        due = (ends + place.offset).date() + timedelta(days=rng.randint(7, 45))
        today = place.today
        if due < today - timedelta(days=30):
            status = "selesai" if rng.random() < 0.85 else rng.choice(("belum", "proses"))
        else:
            status = rng.choice(("belum", "proses", "proses", "selesai"))
        done = None
        if status == "selesai":
            done = min(
                now, ends + timedelta(days=rng.uniform(2, max(3, (due - (ends + place.offset).date()).days + 10)))
            )
        region_id = place.id
        if place.province is None and place.regencies and rng.random() < 0.5:
            region_id = rng.choice(place.regencies).id  # a province meeting assigns work to a regency
        created = ends + timedelta(hours=rng.uniform(1, 48))
        self.writer.add(
            "follow_ups",
            (
                self._id(FollowUp),
                meeting_id,
                region_id,
                conclusion,
                conclusion,
                responsible,
                self.writer.day(due),
                status,
                "Laporan pelaksanaan terlampir." if done else None,
                moment(done),
                moment(min(created, now)),
                moment(done or min(created, now)),
                1 + (status != "belum") + (done is not None),
            ),
        )
