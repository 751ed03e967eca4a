"""Every POST route with a valid request that changes something: who posts what, and where it lands.

Used by the mass-assignment test (extra fields change nothing) and the audit-coverage test (every
write leaves an audit row). A POST route of the app without a case here fails both (deny by default).
The sample data of tests/access is made first; a case's `prepare` adds the state its step needs
(a submitted report to verify, a final meeting to reopen …) and may add URL or form values.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.meetings import services as meetings
from app.meetings.models import Meeting
from app.meetings.services import MinutesData
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import notify
from app.reports import services as reports
from app.reports.models import DailyReport
from app.scoring.models import IndexDefinition, IndexSource
from app.surveys import rules
from app.surveys import services as surveys
from app.surveys.models import Response, Survey

from .access import url_args
from .conftest import PASSWORD
from .factories import region, user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
STRONG = "Tabalong-Sungai-99"


@dataclass(frozen=True)
class Write:
    """One valid write: `user` posts `form(args)` to `endpoint` and gets `status`; rows land in `region`."""

    endpoint: str
    user: str | None
    form: Callable[[dict], dict] = lambda _args: {}
    status: int = 302
    region: str | None = "63.11"
    prepare: Callable[[dict], dict] | None = None
    query: dict = field(default_factory=dict)
    # URL arguments left out, to reach the rule without them (add instead of change).
    leave_out: frozenset = frozenset()
    files: Callable[[dict], dict] | None = None
    # Form fields the route offers that the valid request leaves out (so they are not "extra").
    offers: frozenset = frozenset()
    # Values of the extra fields for this route, where the common ones would not tempt it (e.g. a status).
    extra: dict = field(default_factory=dict)
    name: str = ""

    @property
    def id(self) -> str:
        """The pytest id."""
        return self.name or self.endpoint


def today() -> str:
    """Today in Kab. Balangan (WITA)."""
    return clock.local_today("Asia/Makassar").isoformat()


def days_ago(n: int) -> str:
    """A past day in Kab. Balangan."""
    return (clock.local_today("Asia/Makassar") - timedelta(days=n)).isoformat()


def incident(args: dict) -> dict:
    """A complete incident form."""
    return {
        "aspect": "politik",
        "threat_level": "sedang",
        "title": "Unjuk rasa di depan kantor bupati",
        "what": "Sekitar 50 orang menyampaikan aspirasi.",
        "occurred_date": today(),
        "occurred_time": "10:15",
        "desa": "Paringin Kota",
        "actors": "Aliansi mahasiswa",
        "source_kind": "aparat",
        "source_reliability": "B",
        "info_credibility": "2",
        "analysis": "Aspirasi damai.",
    }


# ---------------------------------------------------------------- prepare steps (inside an app context)


def _report(args) -> DailyReport:
    return db.session.get(DailyReport, args["report_id"])


def _version_of(obj, key="version") -> dict:
    return {key: str(obj.version)}


def report_version(args) -> dict:
    """The current version of the sample report."""
    return _version_of(_report(args))


def item_version(args) -> dict:
    """The current version of the sample item."""
    return _version_of(_report(args).items[0])


def submitted_report(args) -> dict:
    """The sample report, filled in and submitted."""
    report, operator = _report(args), user("operator")
    reports.save_header(db.session, report, operator, reports.HeaderData(1, "Aman.", report.classification), None)
    reports.submit_report(db.session, report, operator, clock.utcnow())
    return {}


def verified_report(args) -> dict:
    """The sample report, submitted and verified."""
    submitted_report(args)
    reports.verify_report(db.session, _report(args), user("analis"), clock.utcnow())
    return {}


def _meeting(args) -> Meeting:
    return db.session.get(Meeting, args["meeting_id"])


def meeting_version(args) -> dict:
    """The current version of the sample meeting."""
    return _version_of(_meeting(args))


def held_meeting(args) -> dict:
    """The sample meeting with conclusions and someone present: ready to be finalised."""
    meeting, facilitator = _meeting(args), user("fasilitator")
    data = MinutesData("Dibuka pukul 09.00.", "Patroli gabungan.", None, None, None)
    meetings.save_minutes(db.session, meeting, facilitator, data, {}, None)
    meetings.set_present(db.session, meeting.attendance[0], facilitator, True)
    return {}


def final_meeting(args) -> dict:
    """The sample meeting, finalised."""
    held_meeting(args)
    meetings.finalize(db.session, _meeting(args), user("fasilitator"), clock.utcnow())
    return {}


def follow_up_version(args) -> dict:
    """The current version of the sample follow-up."""
    meeting = _meeting(args)
    return _version_of(next(f for f in meeting.follow_ups if f.id == args["follow_up_id"]))


def own_notification(args) -> dict:
    """An unread notification of the Balangan operator."""
    notify(db.session, [user("operator")], NotificationKind.DEADLINE_NEAR, "Batas waktu laporan", "/laporan/hari-ini")
    db.session.flush()
    found = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    return {"notification_id": found.id}


def draft_survey(args) -> dict:
    """An editable copy of the example template (the examples are active, hence frozen)."""
    survey = db.session.get(Survey, args["survey_id"])
    draft = surveys.copy_template(db.session, survey, user("admin"), as_new_version=False)
    db.session.flush()
    return {
        "survey_id": draft.id,
        "dimension_id": draft.dimensions[0].id,
        "question_id": draft.questions[0].id,
        "survey_version": str(draft.version),
    }


def _answers(response: Response) -> dict:
    values = {"scale": "3", "choice": "2", "yesno": "2", "number": "10", "text": "Catatan"}
    data = {"unsur": "polri", "sex": "L", "age_band": "36-45"}
    for question in response.round.survey.questions:
        data[f"q{question.id}"] = values[question.qtype.value]
    return data


def answers(args) -> dict:
    """Valid answers to every question of the sample form, as the entry screen posts them."""
    return {"answers": _answers(db.session.get(Response, args["response_id"]))}


def finished_form(args) -> dict:
    """The sample form typed in and finished (so it can be entered a second time)."""
    response, facilitator = db.session.get(Response, args["response_id"]), user("fasilitator")
    posted = _answers(response)
    surveys.save_profile(db.session, response, facilitator, "polri", "L", "36-45")
    for question in response.round.survey.questions:
        surveys.save_answer(db.session, response, facilitator, question, posted[f"q{question.id}"])
    assert not surveys.finish(db.session, response, facilitator)
    return {"number": str(response.number)}


def definition_values(args) -> dict:
    """The full form of the built-in published IKP definition, with its version."""
    definition = db.session.get(IndexDefinition, args["definition_id"])
    return {"definition_version": str(definition.version), "definition_name": definition.name}


def exported_template(args) -> dict:
    """The example template as its JSON export."""
    return {"template_json": json.dumps(rules.to_json(db.session.get(Survey, args["survey_id"])))}


def region_ids(_args) -> dict:
    """Ids of regions the forms choose from."""
    return {f"region:{code}": str(region(code).id) for code in ("63", "63.01", "63.11", "62.71")}


# ---------------------------------------------------------------- the cases


def _definition_form(args, name):
    return {
        "name": name,
        "edition": "2029",
        "source": IndexSource.PUBLISHED.value,
        "direction": "higher_worse",
        "min_respondents": "10",
        "bands_regency": "rawan rendah < 40\nrawan sedang < 70\nrawan tinggi",
        "bands_province": "rawan rendah < 40\nrawan tinggi",
        "questionnaire_weight": "0,7",
        "incident_weight": "0,3",
        "incident_days": "30",
        "weight_rendah": "1",
        "weight_sedang": "3",
        "weight_tinggi": "9",
    }


CASES = [
    # ------------------------------------------------ accounts
    Write("auth.login", None, lambda a: {"username": "operator", "password": PASSWORD}),
    Write("auth.logout", "operator"),
    Write(
        "auth.change_password",
        "operator",
        lambda a: {"current_password": PASSWORD, "new_password": STRONG, "confirm": STRONG},
    ),
    Write(
        "auth.user_create",
        "admin",
        lambda a: {
            "username": "operator.baru",
            "full_name": "Operator Baru",
            "role": "operator",
            "region_id": a["region:63.11"],
            "password": STRONG,
        },
        status=200,
        offers=frozenset({"nip", "jabatan", "phone", "email"}),
    ),
    Write(
        "auth.user_edit",
        "admin",
        lambda a: {
            "full_name": "Operator Tanah Laut Baru",
            "role": "operator",
            "region_id": a["region:63.01"],
            "version": "1",
            "phone": "0811222333",
        },
        region="63.01",
        offers=frozenset({"nip", "jabatan", "email"}),
    ),
    Write("auth.user_set_active", "admin", region="63.01"),
    Write(
        "auth.user_reset_password", "admin", lambda a: {"password": "Sementara-Rantau-55"}, status=200, region="63.01"
    ),
    # ------------------------------------------------ daily reports
    Write("reports.start", "operator", lambda a: {"report_date": days_ago(2)}),
    Write("reports.nihil", "operator", lambda a: {"report_date": days_ago(1)}),
    Write(
        "reports.save_header",
        "operator",
        lambda a: {"situation_level": "2", "summary": "Aman terkendali.", "classification": "biasa", **a["v"]},
        prepare=lambda a: {"v": report_version(a)},
    ),
    Write("reports.item_create", "operator", incident, offers=frozenset({"category_id", "kecamatan_id", "latitude"})),
    Write(
        "reports.item_edit",
        "operator",
        lambda a: {**incident(a), **a["v"]},
        prepare=lambda a: {"v": item_version(a)},
        offers=frozenset({"category_id", "kecamatan_id", "latitude"}),
    ),
    Write("reports.item_delete", "operator"),
    Write(
        "reports.submit",
        "operator",
        lambda a: {"situation_level": "1", "summary": "Kondusif.", "classification": "biasa", **a["v"]},
        prepare=lambda a: {"v": report_version(a)},
    ),
    Write("reports.verify", "analis", lambda a: {"note": "Lengkap."}, prepare=submitted_report),
    Write(
        "reports.return_",
        "analis",
        lambda a: {"reasons": ["fakta", "sumber"], "note": "Lengkapi sumber."},
        prepare=submitted_report,
    ),
    Write("reports.reopen", "admin", lambda a: {"note": "Salah tanggal."}, prepare=verified_report),
    Write(
        "board.settings",
        "analis",
        lambda a: {"report_deadline": "11:30", "report_grace_minutes": "15", "name": "Badan Kesbangpol Kalsel"},
        region="63",
        offers=frozenset({"version", "address", "city", "phone", "email", "head_title", "head_name", "head_nip"}),
    ),
    Write(
        "categories.create",
        "admin",
        lambda a: {"name": "Konflik agraria uji", "position": "40", "active": "y"},
        region=None,
    ),
    Write(
        "categories.update",
        "admin",
        lambda a: {"name": "Kategori diganti", "position": "3", "active": "y"},
        region=None,
    ),
    # ------------------------------------------------ LAPSUS
    Write(
        "lapsus.create",
        "operator",
        lambda a: {**incident(a), "classification": "biasa"},
        offers=frozenset({"category_id", "kecamatan_id", "latitude"}),
    ),
    Write(
        "lapsus.edit",
        "operator",
        lambda a: {**incident(a), "classification": "terbatas", "version": "1"},
        offers=frozenset({"category_id", "kecamatan_id", "latitude"}),
    ),
    Write("lapsus.acknowledge", "analis", lambda a: {"note": "Diterima, pantau.", "version": "1"}),
    # ------------------------------------------------ meetings and follow-ups
    Write(
        "meetings.create",
        "fasilitator",
        lambda a: {
            "title": "Rakor Kominda",
            "kind": "rakor_kewaspadaan",
            "region_id": a["region:63.11"],
            "day": days_ago(-3),
            "start_time": "09:00",
            "place": "Aula Kesbangpol",
        },
        offers=frozenset({"end_time", "organizer", "chair_name", "chair_title", "chair_nip", "secretary_name"}),
        extra={"status": "final"},
    ),
    Write(
        "meetings.edit",
        "fasilitator",
        lambda a: {
            "title": "Rakor uji (diubah)",
            "kind": "rakor_konflik",
            "region_id": a["region:63.11"],
            "day": days_ago(-2),
            "start_time": "10:00",
            "place": "Pendopo",
            **a["v"],
        },
        prepare=lambda a: {"v": meeting_version(a)},
        offers=frozenset({"end_time", "organizer", "chair_name", "chair_title", "chair_nip", "secretary_name"}),
        extra={"status": "final"},
    ),
    Write("meetings.agenda_add", "fasilitator", lambda a: {"title": "Paparan Polres", "presenter": "Kapolres"}),
    Write("meetings.agenda_update", "fasilitator", lambda a: {"title": "Pembukaan dan doa", "presenter": "Sekda"}),
    Write("meetings.agenda_update", "fasilitator", query={"hapus": "1"}, name="meetings.agenda_update[hapus]"),
    Write(
        "meetings.attendee_add",
        "fasilitator",
        lambda a: {"name": "Siti Aminah", "jabatan": "Ketua", "instansi": "FKUB", "unsur": "fkub", "sex": "P"},
        offers=frozenset({"participant_id", "phone"}),
    ),
    Write("meetings.attendee_mark", "fasilitator", lambda a: {"hadir": "1"}, offers=frozenset({"hapus"})),
    Write("meetings.attendee_mark", "fasilitator", lambda a: {"hapus": "1"}, name="meetings.attendee_mark[hapus]"),
    Write(
        "meetings.attendee_import",
        "fasilitator",
        files=lambda a: {"file": (b"nama,jabatan,instansi,unsur\nAndi,Camat,Kecamatan Paringin,pemdes\n", "x.csv")},
        status=200,
    ),
    Write("meetings.scan_upload", "fasilitator", files=lambda a: {"file": (PNG, "daftar-hadir.png")}),
    Write(
        "meetings.minutes_save",
        "fasilitator",
        lambda a: {"opening": "Dibuka oleh Sekda.", "conclusions": "Patroli gabungan.\nPosko terpadu.", **a["v"]},
        prepare=lambda a: {"v": meeting_version(a)},
        offers=frozenset({"recommendations", "closing", "next_meeting"}),
        extra={"status": "final"},
    ),
    Write(
        "meetings.follow_up_add",
        "fasilitator",
        lambda a: {
            "description": "Patroli gabungan tiap malam",
            "responsible": "Polres Balangan",
            "region_id": a["region:63.11"],
            "due_date": days_ago(-14),
        },
        offers=frozenset({"conclusion"}),
        extra={"status": "selesai"},
    ),
    Write("meetings.finalize", "fasilitator", prepare=held_meeting, extra={"status": "planned"}),
    Write("meetings.reopen", "admin", prepare=final_meeting, extra={"status": "final"}),
    Write(
        "followups.update",
        "fasilitator",
        lambda a: {"status": "proses", "evidence": "Sudah dua kali patroli.", **a["v"]},
        prepare=lambda a: {"v": follow_up_version(a)},
    ),
    # ------------------------------------------------ questionnaires
    Write(
        "surveys.survey_create",
        "admin",
        lambda a: {"name": "Kuesioner uji", "edition": "2029", "index_name": "Indeks Uji", "direction": "higher_worse"},
        region=None,
        offers=frozenset({"description", "version"}),
        extra={"status": "active"},
    ),
    Write(
        "surveys.builder",
        "admin",
        lambda a: {
            "name": "Kuesioner diubah",
            "edition": "2029",
            "index_name": "Indeks Uji",
            "direction": "higher_better",
            "version": a["survey_version"],
        },
        prepare=draft_survey,
        region=None,
        offers=frozenset({"description"}),
        extra={"status": "active"},
    ),
    Write(
        "surveys.dimension_save",
        "admin",
        lambda a: {"code": "DX", "name": "Dimensi uji", "weight": "2"},
        prepare=draft_survey,
        leave_out=frozenset({"dimension_id"}),
        region=None,
        name="surveys.dimension_save[new]",
        extra={"status": "active"},
    ),
    Write(
        "surveys.dimension_save",
        "admin",
        lambda a: {"code": "DY", "name": "Dimensi diubah", "weight": "0,5"},
        prepare=draft_survey,
        region=None,
        name="surveys.dimension_save[edit]",
        extra={"status": "active"},
    ),
    Write(
        "surveys.question_save",
        "admin",
        lambda a: {
            "code": "QX1",
            "text": "Seberapa sering?",
            "qtype": "yesno",
            "dimension_id": str(a["dimension_id"]),
            "yes_score": "1",
            "no_score": "0",
        },
        prepare=draft_survey,
        leave_out=frozenset({"question_id"}),
        region=None,
        name="surveys.question_save[new]",
        offers=frozenset({"help", "reversed", "required", "scale_labels", "choice_options", "min_value", "max_value"}),
        extra={"status": "active"},
    ),
    Write(
        "surveys.question_save",
        "admin",
        lambda a: {
            "code": "QX2",
            "text": "Berapa kali?",
            "qtype": "number",
            "dimension_id": str(a["dimension_id"]),
            "min_value": "0",
            "max_value": "99",
        },
        prepare=draft_survey,
        region=None,
        name="surveys.question_save[edit]",
        offers=frozenset({"help", "reversed", "required", "scale_labels", "choice_options", "yes_score", "no_score"}),
        extra={"status": "active"},
    ),
    Write("surveys.survey_action", "admin", region=None, extra={"status": "active"}),  # "salin": a copy
    Write(
        "surveys.survey_import",
        "admin",
        prepare=exported_template,
        files=lambda a: {"file": (a["template_json"].encode(), "templat.json")},
        region=None,
        extra={"status": "active"},
    ),
    Write(
        "surveys.round_create",
        "fasilitator",
        lambda a: {"survey_id": str(a["survey_id"]), "region_id": a["region:63.11"], "title": "Putaran kedua"},
        offers=frozenset({"meeting_id", "expected_forms", "double_entry"}),
        extra={"status": "closed"},
    ),
    Write("surveys.round_status", "fasilitator", extra={"status": "open"}),
    Write("surveys.round_enter", "fasilitator", prepare=finished_form),
    Write("surveys.round_second", "admin", lambda a: {"number": a["number"]}, prepare=finished_form),
    Write(
        "surveys.entry_profile",
        "fasilitator",
        lambda a: {"unsur": "tni", "sex": "P", "age_band": "26-35"},
        status=200,
    ),
    Write(
        "surveys.entry_answer",
        "fasilitator",
        lambda a: {f"q{a['question_id']}": "4"},
        status=200,
        extra={"valid": "0"},
    ),
    Write("surveys.entry_finish", "fasilitator", lambda a: a["answers"], prepare=answers),
    Write("surveys.entry_delete", "fasilitator"),
    # ------------------------------------------------ scoring
    Write(
        "scoring.definition_new",
        "admin",
        lambda a: _definition_form(a, "Indeks uji baru"),
        region=None,
        offers=frozenset({"reference", "version"}),
    ),
    Write(
        "scoring.definition_edit",
        "admin",
        lambda a: {**_definition_form(a, a["definition_name"]), "version": a["definition_version"]},
        prepare=definition_values,
        region=None,
        offers=frozenset({"reference"}),
    ),
    Write(
        "scoring.published_save",
        "analis",
        lambda a: {"region_id": a["region:63.11"], "score": "55,5", "category": "rawan sedang", "source": "Bawaslu"},
    ),
    Write(
        "scoring.published_upload",
        "analis",
        files=lambda a: {"file": (b"kode,skor,kategori,sumber\n63.01,61,rawan sedang,Bawaslu\n", "skor.csv")},
        region="63.01",
    ),
    Write("scoring.published_delete", "analis"),
    # ------------------------------------------------ notifications
    Write("notifications.read", "operator", prepare=own_notification, offers=frozenset({"buka"})),
    Write("notifications.read_all", "operator", prepare=own_notification),
    Write("notifications.email_preference", "operator", lambda a: {"email": "tidak"}),
]


def prepared_args(app, users, case: Write) -> dict:
    """The sample data, the case's own state, and the ids the forms need; committed."""
    args = url_args(app, users)
    with app.app_context():
        args.update(region_ids(args))
        if case.prepare:
            args.update(case.prepare(args))
        db.session.commit()
        db.session.remove()
    return args


def case_url(app, case: Write, args: dict) -> str:
    """The URL the case posts to."""
    rules_of = [r for r in app.url_map.iter_rules() if r.endpoint == case.endpoint]
    values = {k: v for k, v in args.items() if k not in case.leave_out}
    rule = next(r for r in sorted(rules_of, key=lambda r: -len(r.arguments)) if r.arguments <= set(values))
    with app.test_request_context():
        return url_for(case.endpoint, **{name: values[name] for name in rule.arguments}, **case.query)


def post(app, client, case: Write, args: dict, extra: dict | None = None):
    """Post the case's valid form (plus `extra` fields) as the browser would."""
    data = {**case.form(args), **(extra or {})}
    if case.files:
        data.update({name: (io.BytesIO(body), filename) for name, (body, filename) in case.files(args).items()})
    return client.post(case_url(app, case, args), data=data)


def covered_rules(app, args: dict) -> set[str]:
    """The URL rules (as strings) the cases post to."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for case in CASES:
        path = case_url(app, case, args).split("?")[0]
        rule, _ = adapter.match(path, method="POST", return_rule=True)
        covered.add(rule.rule)
    return covered
