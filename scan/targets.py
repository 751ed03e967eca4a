"""What sqlmap attacks: every route of the app with the query and form parameters its view reads.

One row per (endpoint, method): who sends it, the base values of its parameters (valid ones, so that a
change to one parameter reaches the code behind it) and, where a route needs them, which fixture ids
fill its URL. A route of `app.url_map` without a row fails the scan before it starts; during the scan
the recorder (scan/recorder.py) notes every name each view looks up, and a name read but not listed here,
or listed but never read, fails it too. Values may name fixture ids or dates: "{report_id}", "{today}".
"""

from dataclasses import dataclass, field

# Who sends a target's requests (scan/run.py logs each in once; "anon" is a visitor without a session).
USERS = {
    "admin": "admin",
    "analis": "analis.kalsel",
    "operator": "operator.balangan",
    "fasilitator": "fasilitator.balangan",
    "sandi": "pindai.sandi",
}
# Looked up by every form (Flask-WTF's CSRF check), never attacked: the session would be refused.
NEVER_ATTACKED = frozenset({("form", "csrf_token")})


@dataclass(frozen=True)
class Target:
    """One route and method as the scan sends it."""

    user: str
    query: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    # URL argument → fixture id to use instead of the one of the same name ("report_id": "submitted_report_id").
    args: dict = field(default_factory=dict)
    # Changes what other targets use (submits, finalises, deletes): sent after all the others.
    last: bool = False
    # Fields sqlmap cannot fill (file uploads): listed so the recorder check knows them, reported as not attacked.
    files: tuple = ()
    # A hidden field the view checks strictly (the row version): sqlmap re-reads it from the form page
    # before every request (its --csrf-token mechanism), so each attempt is a current edit, not a 409.
    refresh: str = ""
    # Deletes its object on the first request: sent once (its reads recorded), not attacked.
    one_shot: bool = False
    # Read by the view only in a state the scan cannot keep (explained in `note`): not counted as unreached.
    optional: tuple = ()
    note: str = ""


# Routes with no row on purpose.
EXEMPT = {
    ("static", "GET"): "files from static/, no parameters and no database",
    ("auth.logout", "POST"): "no parameters; sending it would end the scan's own session",
}

INCIDENT = {
    "aspect": "politik",
    "category_id": "",
    "threat_level": "sedang",
    "title": "Pertemuan warga",
    "what": "Sekitar 50 orang berkumpul di balai desa.",
    "occurred_date": "{draft_day}",
    "occurred_time": "09:30",
    "kecamatan_id": "",
    "desa": "Desa Lajar",
    "latitude": "-2.3",
    "longitude": "115.5",
    "actors": "Warga",
    "how": "Berkumpul",
    "why": "Musyawarah",
    "source_kind": "masyarakat",
    "source_detail": "Babinsa",
    "source_reliability": "B",
    "info_credibility": "2",
    "analysis": "Aman",
    "prediction": "Kondusif",
    "steps_taken": "Koordinasi",
    "recommendation": "Pantau",
    "version": "",
}
MEETING = {
    "title": "Rakor pindai",
    "kind": "rakor_kewaspadaan",
    "region_id": "{region_id}",
    "day": "{next_week}",
    "start_time": "09:00",
    "end_time": "11:00",
    "place": "Aula Kesbangpol",
    "organizer": "Kesbangpol",
    "chair_name": "Budi",
    "chair_title": "Kepala",
    "chair_nip": "",
    "secretary_name": "Siti",
    "secretary_title": "Staf",
    "secretary_nip": "",
    "version": "",
}
ACCOUNT = {
    "full_name": "Akun Pindai",
    "role": "operator",
    "region_id": "{region_id}",
    "jabatan": "Staf",
    "nip": "",
    "email": "pindai@example.go.id",
    "phone": "081234567890",
    "password": "",
    "version": "",
}
DEFINITION = {
    "name": "Indeks Pindai",
    "edition": "2025",
    "source": "questionnaire",
    "direction": "higher_worse",
    "reference": "Uji",
    "min_respondents": "5",
    "bands_regency": "40, 60",
    "bands_province": "40, 60",
    "questionnaire_weight": "0.7",
    "incident_weight": "0.3",
    "incident_days": "30",
    "weight_rendah": "1",
    "weight_sedang": "2",
    "weight_tinggi": "3",
    "version": "",
}
TEMPLATE = {
    "name": "Kuesioner Pindai",
    "index_name": "IKP",
    "edition": "2025",
    "direction": "higher_worse",
    "description": "Uji",
    "version": "",
}
SEARCH = {
    "q": "banjir",
    "dari": "{month_ago}",
    "sampai": "{today}",
    "wilayah": "{region_id}",
    "aspek": "politik",
    "kategori": "",
    "kerawanan": "sedang",
    "status": "",
}
RANKING = {"indeks": "{definition_id}", "provinsi": "63", "dasar": "kuesioner", "urut": "peringkat"}
NOTE = {"note": "Catatan pindai"}

TARGETS = {
    # Foundation: log-in, accounts, regions, audit log, home.
    ("auth.login", "GET"): Target("anon", query={"next": "/laporan/"}),
    ("auth.login", "POST"): Target(
        "anon",
        query={"next": "/laporan/"},
        form={"username": "pindai.tamu", "password": "salah-sekali", "next": "/laporan/"},
        note="an unknown account, so the attempts lock nobody out",
    ),
    ("auth.change_password", "GET"): Target("sandi"),
    ("auth.change_password", "POST"): Target(
        "sandi",
        form={"current_password": "bukan-sandinya", "new_password": "Sandi-Baru-Pindai-77", "confirm": "x"},
        note="a wrong current password: the account keeps its session",
    ),
    ("auth.users", "GET"): Target("admin", query={"q": "operator", "role": "operator", "status": "aktif", "page": "1"}),
    ("auth.user_create", "GET"): Target("admin"),
    ("auth.user_create", "POST"): Target(
        "admin", form={"username": "pindai.baru", **ACCOUNT, "password": "Banjarbaru-Paringin-77"}
    ),
    ("auth.user_edit", "GET"): Target("admin"),
    ("auth.user_edit", "POST"): Target("admin", form={**ACCOUNT, "confirm": ""}, refresh="version"),
    ("auth.user_set_active", "POST"): Target("admin", form={"confirm": "nonaktif"}, last=True),
    ("auth.user_reset_password", "POST"): Target("admin", form={"password": "", "confirm": "y"}),
    ("dashboard.index", "GET"): Target("analis"),
    ("dashboard.settings", "GET"): Target("analis"),
    ("dashboard.profile", "GET"): Target("analis", query={"bulan": "{this_month}"}),
    ("regions.index", "GET"): Target("analis"),
    ("regions.detail", "GET"): Target("analis"),
    ("auditlog.index", "GET"): Target(
        "admin",
        query={
            "user": "admin",
            "entity": "",
            "action": "",
            "date_from": "{month_ago}",
            "date_to": "{today}",
            "page": "1",
        },
    ),
    # LAPSITDA: reports, items, review.
    ("reports.index", "GET"): Target("admin", query={"tanggal": "{today}", "provinsi": "63"}),
    ("reports.today", "GET"): Target("operator"),
    ("reports.detail", "GET"): Target("analis"),
    ("reports.start", "POST"): Target("operator", form={"report_date": "{free_day}"}),
    ("reports.nihil", "POST"): Target("operator", form={"report_date": "{free_day}"}),
    ("reports.save_header", "POST"): Target(
        "operator",
        form={"situation_level": "1", "summary": "Situasi kondusif.", "classification": "biasa", "version": ""},
    ),
    ("reports.item_create", "POST"): Target("operator", form=INCIDENT),
    ("reports.item", "GET"): Target("operator"),
    ("reports.item_edit", "GET"): Target("operator"),
    ("reports.item_edit", "POST"): Target("operator", form=INCIDENT),
    ("reports.item_delete", "POST"): Target("operator", form=NOTE, last=True, one_shot=True),
    ("reports.submit", "POST"): Target(
        "operator",
        form={"situation_level": "1", "summary": "Situasi kondusif.", "classification": "biasa", "version": ""},
        last=True,
    ),
    ("reports.verify", "POST"): Target("analis", form=NOTE, args={"report_id": "submitted_report_id"}, last=True),
    ("reports.return_", "POST"): Target(
        "analis",
        form={"reasons": "fakta", **NOTE},
        args={"report_id": "review_report_id"},
        last=True,
    ),
    ("reports.reopen", "POST"): Target("admin", form=NOTE, args={"report_id": "verified_report_id"}, last=True),
    ("board.index", "GET"): Target(
        "admin", query={"provinsi": "63", "tampilan": "bulan", "bulan": "{this_month}", "tanggal": "{today}"}
    ),
    ("board.cell", "GET"): Target("analis", args={"report_id": "submitted_report_id"}),
    ("board.settings", "GET"): Target("admin", query={"provinsi": "63"}),
    ("board.settings", "POST"): Target(
        "admin",
        query={"provinsi": "63"},
        form={
            "name": "Badan Kesbangpol Provinsi Kalimantan Selatan",
            "address": "Jl. A. Yani",
            "city": "Banjarmasin",
            "phone": "0511-123456",
            "email": "kesbangpol@example.go.id",
            "head_name": "Budi",
            "head_title": "Kepala Badan",
            "head_nip": "",
            "report_deadline": "12:00",
            "report_grace_minutes": "30",
            "version": "",
        },
        refresh="version",
    ),
    ("recap.index", "GET"): Target("admin", query={"tanggal": "{today}", "provinsi": "63"}),
    ("recap.print_view", "GET"): Target("admin", query={"tanggal": "{today}", "provinsi": "63", "nomor": "001/KB"}),
    ("recap.text", "GET"): Target("admin", query={"tanggal": "{today}", "provinsi": "63"}),
    ("search.index", "GET"): Target("analis", query={**SEARCH, "page": "1"}),
    ("search.export_csv", "GET"): Target("analis", query=SEARCH),
    ("search.export_xlsx", "GET"): Target("analis", query=SEARCH),
    ("categories.index", "GET"): Target("admin"),
    ("categories.create", "POST"): Target("admin", form={"name": "Kategori pindai", "position": "99", "active": "y"}),
    ("categories.update", "POST"): Target("admin", form={"name": "Kategori pindai", "position": "1", "active": "y"}),
    # LAPSUS.
    ("lapsus.index", "GET"): Target("analis", query={"status": "menunggu", "page": "1"}),
    ("lapsus.create", "GET"): Target("operator"),
    ("lapsus.create", "POST"): Target(
        "operator", form={**INCIDENT, "occurred_date": "{today}", "classification": "biasa"}
    ),
    ("lapsus.detail", "GET"): Target("analis"),
    ("lapsus.edit", "GET"): Target("operator"),
    ("lapsus.edit", "POST"): Target(
        "operator", form={**INCIDENT, "occurred_date": "{today}", "classification": "biasa"}
    ),
    ("lapsus.acknowledge", "POST"): Target("analis", form={**NOTE, "version": ""}, last=True),
    # Meetings and follow-ups.
    ("meetings.index", "GET"): Target("analis", query={"tampilan": "kalender", "bulan": "{this_month}", "page": "1"}),
    ("meetings.create", "GET"): Target("fasilitator"),
    ("meetings.create", "POST"): Target("fasilitator", form=MEETING),
    ("meetings.detail", "GET"): Target("fasilitator"),
    ("meetings.edit", "GET"): Target("fasilitator"),
    ("meetings.edit", "POST"): Target("fasilitator", form=MEETING),
    ("meetings.agenda_add", "POST"): Target("fasilitator", form={"title": "Sambutan", "presenter": "Camat"}),
    ("meetings.agenda_update", "POST"): Target(
        "fasilitator",
        query={"arah": "turun", "hapus": "0"},
        form={"title": "Pembukaan", "presenter": "Camat", **NOTE},
    ),
    ("meetings.attendance", "GET"): Target("fasilitator"),
    ("meetings.attendance_export", "GET"): Target("fasilitator"),
    ("meetings.attendance_print", "GET"): Target("fasilitator", query={"kosong": "1"}),
    ("meetings.suggestions", "GET"): Target("fasilitator", query={"name": "Bud"}),
    ("meetings.attendee_add", "POST"): Target(
        "fasilitator",
        form={
            "participant_id": "",
            "name": "Rahmat",
            "jabatan": "Lurah",
            "instansi": "Kelurahan",
            "unsur": "asn",
            "sex": "L",
            "phone": "081234567890",
        },
    ),
    ("meetings.attendee_mark", "POST"): Target("fasilitator", form={"hadir": "1", "hapus": "", "note": ""}),
    ("meetings.attendee_import", "POST"): Target("fasilitator", files=("file",)),
    ("meetings.minutes", "GET"): Target(
        "fasilitator",
        query={"kesimpulan": "0"},
        optional=("form:discussion-#",),
        note="the minutes form is built from request.form on GET too, where it is always empty",
    ),
    ("meetings.minutes_save", "POST"): Target(
        "fasilitator",
        form={
            "opening": "Dibuka pukul 09.00",
            "discussion-{agenda_id}": "Pembahasan",
            "conclusions": "Patroli ditingkatkan",
            "recommendations": "Koordinasi",
            "closing": "Ditutup",
            "next_meeting": "Bulan depan",
            "version": "",
        },
    ),
    ("meetings.minutes_print", "GET"): Target("fasilitator"),
    ("meetings.follow_up_add", "POST"): Target(
        "fasilitator",
        form={
            "conclusion": "",
            "discussion-{agenda_id}": "Pembahasan",
            "description": "Patroli gabungan",
            "responsible": "Polres",
            "region_id": "{region_id}",
            "due_date": "{next_week}",
        },
    ),
    ("meetings.scan_upload", "POST"): Target("fasilitator", files=("file",)),
    ("meetings.scan_download", "GET"): Target("fasilitator", note="404 until a scan is uploaded; no parameters"),
    ("meetings.finalize", "POST"): Target("fasilitator", form=NOTE, last=True),
    ("meetings.reopen", "POST"): Target("admin", form=NOTE, args={"meeting_id": "final_meeting_id"}, last=True),
    ("followups.index", "GET"): Target(
        "analis", query={"wilayah": "{region_id}", "status": "belum", "terlambat": "ya", "page": "1"}
    ),
    ("followups.update", "POST"): Target(
        "fasilitator",
        query={"wilayah": "{region_id}", "status": "", "terlambat": "", "page": "1"},
        form={"status": "proses", "evidence": "Sudah patroli", "version": ""},
    ),
    # Questionnaires.
    ("surveys.index", "GET"): Target("analis"),
    ("surveys.survey_create", "GET"): Target("analis"),
    ("surveys.survey_create", "POST"): Target("analis", form={**TEMPLATE, "name": "Kuesioner Pindai Baru"}),
    ("surveys.survey_import", "POST"): Target("analis", files=("file",)),
    ("surveys.builder", "GET"): Target("analis", args={"survey_id": "draft_survey_id"}),
    ("surveys.builder", "POST"): Target("analis", form=TEMPLATE, args={"survey_id": "draft_survey_id"}),
    ("surveys.preview", "GET"): Target("analis"),
    ("surveys.survey_export", "GET"): Target("analis"),
    ("surveys.survey_action", "POST"): Target("analis", form=NOTE, args={"survey_id": "draft_survey_id"}, last=True),
    ("surveys.dimension_save", "POST"): Target(
        "analis",
        query={"arah": "turun", "hapus": "0"},
        form={"code": "D9", "name": "Dimensi pindai", "weight": "1"},
        args={"survey_id": "draft_survey_id"},
    ),
    ("surveys.question_edit", "GET"): Target("analis", args={"survey_id": "draft_survey_id"}),
    ("surveys.question_save", "POST"): Target(
        "analis",
        query={"arah": "turun", "hapus": "0"},
        form={
            "dimension_id": "{dimension_id}",
            "code": "Q99",
            "text": "Pertanyaan pindai?",
            "help": "",
            "qtype": "skala",
            "min_value": "1",
            "max_value": "5",
            "scale_labels": "",
            "choice_options": "",
            "yes_score": "",
            "no_score": "",
            "reversed": "",
            "required": "y",
        },
        args={"survey_id": "draft_survey_id"},
    ),
    ("surveys.round_create", "GET"): Target("fasilitator", query={"rapat": "{meeting_id}"}),
    ("surveys.round_create", "POST"): Target(
        "fasilitator",
        form={
            "survey_id": "{survey_id}",
            "region_id": "{region_id}",
            "title": "Putaran pindai 2",
            "expected_forms": "10",
            "double_entry": "y",
            "meeting_id": "",
        },
    ),
    ("surveys.round_detail", "GET"): Target("fasilitator"),
    ("surveys.round_export", "GET"): Target("fasilitator"),
    ("surveys.round_enter", "POST"): Target("fasilitator", form=NOTE),
    ("surveys.round_second", "POST"): Target(
        "fasilitator",
        form={"number": "1"},
        note="refused (422) in the scan: a second entry needs a first one finished by someone else",
    ),
    ("surveys.round_status", "POST"): Target("fasilitator", query={"buka": "1"}, form=NOTE, last=True),
    ("surveys.entry", "GET"): Target("fasilitator"),
    ("surveys.entry_profile", "POST"): Target("fasilitator", form={"unsur": "asn", "sex": "L", "age_band": "26-35"}),
    ("surveys.entry_answer", "POST"): Target(
        "fasilitator", form={"q{entry_question_id}": "3"}, args={"question_id": "entry_question_id"}
    ),
    ("surveys.entry_finish", "POST"): Target("fasilitator", form={}, last=True),
    ("surveys.entry_delete", "POST"): Target("fasilitator", form=NOTE, last=True, one_shot=True),
    # Scores and rankings.
    ("scoring.index", "GET"): Target("analis", query=RANKING),
    ("scoring.print_view", "GET"): Target("analis", query=RANKING),
    ("scoring.export", "GET"): Target("analis", query=RANKING),
    ("scoring.methodology", "GET"): Target("analis"),
    ("scoring.card", "GET"): Target("analis"),
    ("scoring.definitions", "GET"): Target("analis"),
    ("scoring.definition_new", "GET"): Target("admin"),
    # Its own name: definition_edit renames another index to DEFINITION's, and name + edition are unique.
    ("scoring.definition_new", "POST"): Target("admin", form={**DEFINITION, "name": "Indeks Pindai Baru"}),
    ("scoring.definition_edit", "GET"): Target("admin"),
    ("scoring.definition_edit", "POST"): Target(
        "admin", form=DEFINITION, args={"definition_id": "questionnaire_definition_id"}, refresh="version"
    ),
    ("scoring.published", "GET"): Target("analis"),
    ("scoring.published_save", "POST"): Target(
        "analis", form={"region_id": "{region_id}", "score": "55.5", "category": "sedang", "source": "BPS"}
    ),
    ("scoring.published_upload", "POST"): Target("analis", files=("file",)),
    ("scoring.published_delete", "POST"): Target("analis", form={}, last=True),
    # Maps and notifications.
    ("maps.index", "GET"): Target(
        "admin", query={"provinsi": "63", "lapisan": "peringkat", "indeks": "{definition_id}"}
    ),
    ("notifications.index", "GET"): Target("analis", query={"page": "1"}),
    ("notifications.count", "GET"): Target("analis"),
    ("notifications.read", "POST"): Target("analis", form={"buka": "/laporan/"}),
    ("notifications.read_all", "POST"): Target("analis", form={}, last=True),
    ("notifications.email_preference", "POST"): Target("analis", form={"email": "ya"}),
}
