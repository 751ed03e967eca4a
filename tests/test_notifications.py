"""Notifications for each event, the header count, marking read, the daily reminder, e-mail delivery."""

import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import clock, mail
from app.auth.models import User
from app.extensions import db
from app.lapsus.services import file_lapsus
from app.meetings import services as meeting_services
from app.meetings.models import MeetingKind
from app.meetings.services import FollowUpData, MeetingData
from app.notifications import services as notification_services
from app.notifications.models import Notification, NotificationKind
from app.reports import services as report_services

from .conftest import login
from .factories import item_data, make_report, region, user


def _inbox(app, username):
    with app.app_context():
        stmt = (
            select(Notification)
            .join(User, Notification.user_id == User.id)
            .where(User.username == username)
            .order_by(Notification.id)
        )
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return found


# ---------------------------------------------------------------- one notification per event


def test_a_submitted_report_reaches_the_province_analyst_only(app, users):
    report_id = make_report(app, submit=True)
    (note,) = _inbox(app, "analis")
    assert note.kind == NotificationKind.REPORT_SUBMITTED
    assert note.title.startswith("Laporan Kab. Balangan") and note.title.endswith("masuk")
    assert note.url == f"/laporan/{report_id}"
    assert _inbox(app, "analis.kalteng") == [] and _inbox(app, "operator") == []


def test_a_returned_report_tells_the_operator_why(app, users):
    report_id = make_report(app, submit=True)
    with app.app_context():
        from app.reports.models import DailyReport

        report = db.session.get(DailyReport, report_id)
        report_services.return_report(db.session, report, user("analis"), clock.utcnow(), ["lokasi"], "Lengkapi desa.")
        db.session.commit()
    (note,) = _inbox(app, "operator")
    assert note.kind == NotificationKind.REPORT_RETURNED
    assert "dikembalikan" in note.title and "Lengkapi desa." in note.body
    assert _inbox(app, "fasilitator") == []  # the report is the operator's


def test_a_lapsus_reaches_the_province_at_once(app, users):
    with app.app_context():
        from app.reports.models import Classification

        lapsus = file_lapsus(
            db.session, user("operator"), item_data(title="Bentrok massa"), Classification.BIASA, clock.utcnow()
        )
        db.session.commit()
        lapsus_id = lapsus.id
    (note,) = _inbox(app, "analis")
    assert note.kind == NotificationKind.LAPSUS_FILED and "Bentrok massa" in note.title
    assert note.url == f"/lapsus/{lapsus_id}"


def test_a_follow_up_reaches_the_responsible_regency(app, users):
    with app.app_context():
        data = MeetingData("Rakor", MeetingKind.RAKOR_KEWASPADAAN, datetime.now(UTC), None, "Aula")
        meeting = meeting_services.create_meeting(db.session, user("analis"), region("63"), data)
        meeting_services.add_follow_up(
            db.session, meeting, user("analis"), FollowUpData("Patroli", "Polres", region("63.11").id, date.today())
        )
        db.session.commit()
    assert [n.kind for n in _inbox(app, "operator")] == [NotificationKind.FOLLOWUP_ASSIGNED]
    assert [n.kind for n in _inbox(app, "fasilitator")] == [NotificationKind.FOLLOWUP_ASSIGNED]
    assert _inbox(app, "operator.tala") == []


# ---------------------------------------------------------------- reading them


def test_header_count_list_and_marking_read(app, users):
    first = make_report(app, submit=True)
    make_report(app, "operator.tala", submit=True)
    client = app.test_client()
    login(client, "analis")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="notif-badge">2</span>' in home
    fragment = client.get("/notifikasi/jumlah", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<a id="notif-count"') and "2 belum dibaca" in fragment
    page = client.get("/notifikasi/").get_data(as_text=True)
    assert page.count('class="notif unread"') == 2
    (first_note, _) = _inbox(app, "analis")
    opened = client.post(f"/notifikasi/{first_note.id}/baca", data={"buka": f"/laporan/{first}"})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/laporan/{first}"
    assert "1 belum dibaca" in client.get("/notifikasi/jumlah").get_data(as_text=True)
    evil = client.post(f"/notifikasi/{first_note.id}/baca", data={"buka": "//evil.example/x"})
    assert evil.headers["Location"] == "/notifikasi/"  # never an open redirect
    other = app.test_client()
    login(other, "analis.kalteng")
    other.post(f"/notifikasi/{_inbox(app, 'analis')[1].id}/baca")  # someone else's: nothing happens
    assert _inbox(app, "analis")[1].read_at is None
    client.post("/notifikasi/baca-semua")
    assert all(n.read_at for n in _inbox(app, "analis"))
    assert "notif-badge" not in client.get("/").get_data(as_text=True)
    # The count is kept while nothing is written: a new notification (another write) shows at once.
    make_report(app, "operator.tala", day=clock.utcnow().date() - timedelta(days=1), submit=True)
    assert '<span class="notif-badge">1</span>' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("counted_first", [True, False])
def test_a_kept_count_never_outlives_a_rolled_back_write(app, users, counted_first):
    with app.app_context():
        analyst, kind = user("analis"), next(iter(NotificationKind))
        if counted_first:
            assert notification_services.unread_count(db.session, analyst) == 0
        notification_services.notify(db.session, [analyst], kind, "Uji", "/laporan/")
        db.session.flush()
        assert notification_services.unread_count(db.session, analyst) == 1  # its own write, not committed
        db.session.rollback()
        assert notification_services.unread_count(db.session, analyst) == 0
        assert notification_services.unread_count(db.session, analyst) == 0  # and kept as such


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "/\\evil.example/x", "/\t/evil.example/x", "https://evil.example/x", "javascript:x"]
)
def test_opening_a_notification_never_leaves_the_site(app, users, target):
    """`buka` goes through is_safe_next: browsers read `/\\host` and `/<tab>/host` as another site."""
    make_report(app, "operator.tala", submit=True)
    client = app.test_client()
    login(client, "analis")
    (note,) = _inbox(app, "analis")
    response = client.post(f"/notifikasi/{note.id}/baca", data={"buka": target})
    assert response.status_code == 302 and response.headers["Location"] == "/notifikasi/"


# ---------------------------------------------------------------- the daily reminder


def test_reminder_on_a_day_with_missing_reports(app, users, runner, pin_clock):
    pin_clock(10)  # 10.00 WITA: before the 12.00 deadline
    make_report(app, "operator.tala", submit=True)
    make_report(app, "operator")  # a draft is not a report yet
    with app.app_context():
        data = MeetingData("Rakor", MeetingKind.RAKOR_KEWASPADAAN, clock.utcnow(), None, "Aula")
        meeting = meeting_services.create_meeting(db.session, user("analis"), region("63"), data)
        today = clock.local_today("Asia/Makassar")
        meeting_services.add_follow_up(
            db.session,
            meeting,
            user("analis"),
            FollowUpData("Patroli", "Polres", region("63.11").id, today - timedelta(days=2)),
        )
        db.session.commit()
    result = runner.invoke(args=["notify", "deadlines"])
    assert result.exit_code == 0, result.output
    assert "kab/kota belum lapor: 26" in result.output  # 12 of Kalsel and all 14 of Kalteng
    kinds = [n.kind for n in _inbox(app, "operator")]
    assert NotificationKind.DEADLINE_NEAR in kinds and NotificationKind.FOLLOWUP_OVERDUE in kinds
    assert NotificationKind.DEADLINE_NEAR not in [n.kind for n in _inbox(app, "operator.tala")]
    summary = [n for n in _inbox(app, "analis") if n.kind == NotificationKind.DAILY_SUMMARY]
    assert len(summary) == 1
    assert summary[0].title.endswith("1 dari 13 sudah lapor, 1 tepat waktu")
    assert "Kab. Balangan — Operator Balangan 0811000111" in summary[0].body
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Notification))
    again = runner.invoke(args=["notify", "deadlines"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == before  # nothing twice


# ---------------------------------------------------------------- e-mail


class Inbox:
    """What a local SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port, BASE_URL="https://waspada.kalselprov.go.id")
    yield inbox
    controller.stop()


def _set_email(app, username, address, wanted=True):
    with app.app_context():
        person = user(username)
        person.email = address
        person.email_notifications = wanted
        db.session.commit()


def test_emails_are_sent_after_commit_and_respect_the_opt_out(app, users, smtp):
    _set_email(app, "analis", "rina@kesbangpol.kalselprov.go.id")
    _set_email(app, "pimpinan", "kepala@kesbangpol.kalselprov.go.id", wanted=False)
    report_id = make_report(app, submit=True)
    mail.wait()
    assert len(smtp.messages) == 1
    recipients, content = smtp.messages[0]
    assert recipients == ["rina@kesbangpol.kalselprov.go.id"]
    assert "Subject: [Waspada] Laporan Kab. Balangan" in content
    assert f"https://waspada.kalselprov.go.id/laporan/{report_id}" in content

    # The opt-out on the notifications page stops the copies; the in-app notification stays.
    client = app.test_client()
    login(client, "analis")
    assert client.post("/notifikasi/email", data={"email": "tidak"}).status_code == 302
    make_report(app, "operator.tala", submit=True)
    mail.wait()
    assert len(smtp.messages) == 1
    assert len(_inbox(app, "analis")) == 2


def test_a_rolled_back_change_sends_no_email(app, users, smtp):
    _set_email(app, "analis", "rina@kesbangpol.kalselprov.go.id")
    report_id = make_report(app)
    with app.app_context():
        from app.reports.models import DailyReport

        report = db.session.get(DailyReport, report_id)
        report_services.submit_report(db.session, report, user("operator"), clock.utcnow())
        db.session.rollback()
    mail.wait()
    assert smtp.messages == []


def test_an_unreachable_mail_server_does_not_break_the_request(app, users):
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=_free_port(), MAIL_TIMEOUT=2)
    _set_email(app, "analis", "rina@kesbangpol.kalselprov.go.id")
    client = app.test_client()
    login(client, "operator")
    report_id = make_report(app)
    with app.app_context():
        from app.reports.models import DailyReport

        version = db.session.get(DailyReport, report_id).version
    response = client.post(f"/laporan/{report_id}/kirim", data={"version": version})
    assert response.status_code in (200, 302)
    mail.wait()
    assert len(_inbox(app, "analis")) == 1


def test_the_reminder_command_emails_the_operators_and_the_province(app, users, runner, smtp, pin_clock):
    pin_clock(10)
    _set_email(app, "operator", "ahmad@balangankab.go.id")
    _set_email(app, "analis", "rina@kesbangpol.kalselprov.go.id")
    result = runner.invoke(args=["notify", "deadlines"])
    assert result.exit_code == 0, result.output
    received = {to[0]: content for to, content in smtp.messages}  # the command waits for its e-mails
    assert "belum dikirim (batas 12.00 WITA)" in received["ahmad@balangankab.go.id"]
    assert "https://waspada.kalselprov.go.id/laporan/hari-ini" in received["ahmad@balangankab.go.id"]
    summary = received["rina@kesbangpol.kalselprov.go.id"]
    assert "0 dari 13 sudah lapor" in summary and "Kab. Balangan" in summary
