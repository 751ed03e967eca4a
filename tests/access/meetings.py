"""Access rows of meetings and follow-ups (a planned Balangan meeting with one agenda item and one attendee)."""

from datetime import UTC, date, datetime, timedelta

from app.extensions import db
from app.meetings import services
from app.meetings.models import MeetingKind, Sex
from app.meetings.services import FollowUpData, MeetingData, PersonData

from ..factories import region, user
from . import everyone, only

MANAGERS = {"admin": 200, "fasilitator": 200}

ROWS = {
    ("meetings.index", "GET"): everyone(200),
    ("meetings.create", "GET"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("meetings.create", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.detail", "GET"): everyone(200),
    ("meetings.edit", "GET"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("meetings.edit", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.agenda_add", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.agenda_update", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.attendance", "GET"): everyone(200),
    ("meetings.suggestions", "GET"): only({"admin": 200, "analis": 200, "fasilitator": 200}),
    ("meetings.attendee_add", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.attendee_mark", "POST"): only({"admin": 302, "analis": 302, "fasilitator": 302}),
    ("meetings.attendee_import", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.attendance_export", "GET"): everyone(200),
    ("meetings.attendance_print", "GET"): everyone(200),
    ("meetings.scan_upload", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.scan_download", "GET"): everyone(404),  # no scan uploaded yet
    ("meetings.minutes", "GET"): everyone(200),
    ("meetings.minutes_save", "POST"): only({"admin": 302, "analis": 302, "fasilitator": 302}),
    ("meetings.minutes_print", "GET"): everyone(200),
    ("meetings.follow_up_add", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.finalize", "POST"): only({"admin": 422, "analis": 422, "fasilitator": 422}),
    ("meetings.reopen", "POST"): only({"admin": 422}),
    ("followups.index", "GET"): everyone(200),
    ("followups.update", "POST"): only({"admin": 422, "analis": 422, "operator": 422, "fasilitator": 422}),
}


def setup(app, _users):
    """A planned meeting of Kab. Balangan with an agenda item, an attendee and a follow-up."""
    with app.app_context():
        facilitator = user("fasilitator")
        starts = datetime.now(UTC) + timedelta(days=1)
        data = MeetingData(
            title="Rakor uji", kind=MeetingKind.RAKOR_KEWASPADAAN, starts_at=starts, ends_at=None, place="Aula"
        )
        meeting = services.create_meeting(db.session, facilitator, region("63.11"), data)
        item = services.add_agenda(db.session, meeting, facilitator, "Pembukaan", None)
        person = PersonData("Budi", "Kasat", "Polres", "polri", Sex.L, None)
        row = services.add_new_attendee(db.session, meeting, facilitator, person)
        follow_up = services.add_follow_up(
            db.session,
            meeting,
            facilitator,
            FollowUpData("Patroli", "Polres", meeting.region_id, date.today() + timedelta(days=7)),
        )
        db.session.commit()
        return {
            "meeting_id": meeting.id,
            "agenda_id": item.id,
            "row_id": row.id,
            "kind": "csv",
            "follow_up_id": follow_up.id,
        }
