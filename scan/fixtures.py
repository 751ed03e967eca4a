"""Run inside the scan's instance after `flask seed-demo`: the few objects the scan acts on, as JSON ids.

Usage: python -m scan.fixtures (with the instance's WASPADA_* environment). Prints one JSON object: the
value of every URL argument the target table names (report_id, meeting_id, …). Destructive targets
(deactivate, reset a password, change one's own password) act on accounts made here, never on the
accounts the scan logs in with.
"""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import audit, clock, create_app
from app.auth.models import Role, User
from app.auth.services import UserData, actor_for, create_user
from app.extensions import db
from app.lapsus import services as lapsus_services
from app.meetings import services as meeting_services
from app.meetings.models import FollowUp, Meeting, MeetingKind, MeetingStatus
from app.notifications.models import Notification
from app.regions.models import Region
from app.reports import services as report_services
from app.reports.models import Classification, DailyReport, ReportStatus
from app.scoring.models import IndexDefinition, IndexSource, PublishedScore
from app.surveys import services as survey_services
from app.surveys.models import Survey
from tests.factories import item_data

PASSWORD = "waspada-demo-2024"
# Made here, acted on by the scan: deactivated, reset, password changed.
SPARE_ACCOUNT = "pindai.sasaran"
OWN_PASSWORD_ACCOUNT = "pindai.sandi"


def _one(stmt):
    """The first row of a query, which must exist."""
    found = db.session.scalars(stmt).first()
    if found is None:
        raise SystemExit(f"scan fixtures: nothing for {stmt}")
    return found


def _user(name: str) -> User:
    """A demo account."""
    return _one(select(User).where(User.username == name))


def _region(code: str) -> Region:
    """A region by code."""
    return _one(select(Region).where(Region.code == code))


def _incident(day) -> report_services.ItemData:
    """A complete incident on `day`: the test suite's own sample."""
    return item_data(occurred_date=day)


def _free_days(region: Region, today, count: int) -> list:
    """Past days on which the regency has no report yet (the demo fills only the last week)."""
    taken = set(db.session.scalars(select(DailyReport.report_date).where(DailyReport.region_id == region.id)))
    return [d for d in (today - timedelta(days=n) for n in range(10, 30)) if d not in taken][:count]


def _submitted(operator: User, balangan: Region, day, today) -> DailyReport:
    """A report with one item, submitted for review."""
    report = report_services.start_report(db.session, operator, balangan, day, today)
    report_services.add_item(db.session, report, operator, _incident(day))
    header = report_services.HeaderData(1, "Situasi kondusif.", Classification.BIASA)
    report_services.save_header(db.session, report, operator, header, None)
    report_services.submit_report(db.session, report, operator, clock.utcnow())
    return report


def reports(operator: User, balangan: Region) -> dict:
    """A draft report with one item (the operator's edits) and two submitted ones (verified, returned)."""
    today = clock.local_today(balangan.timezone)
    draft_day, free_day, *submitted_days = _free_days(balangan, today, 4)
    draft = report_services.start_report(db.session, operator, balangan, draft_day, today)
    item = report_services.add_item(db.session, draft, operator, _incident(draft_day))
    submitted = [_submitted(operator, balangan, day, today) for day in submitted_days]
    verified = _one(
        select(DailyReport).where(DailyReport.status == ReportStatus.VERIFIED).order_by(DailyReport.id.desc())
    )
    db.session.flush()
    return {
        "report_id": draft.id,
        "item_id": item.id,
        "submitted_report_id": submitted[0].id,
        "review_report_id": submitted[1].id,
        "verified_report_id": verified.id,
        "draft_day": draft_day.isoformat(),
        "free_day": free_day.isoformat(),  # for starting a report and filing nihil
    }


def meetings(facilitator: User, balangan: Region) -> dict:
    """A planned meeting of Balangan with an agenda item, an attendee and a follow-up."""
    starts = datetime.now(UTC) + timedelta(days=3)
    data = meeting_services.MeetingData(
        title="Rakor pindai", kind=MeetingKind.RAKOR_KEWASPADAAN, starts_at=starts, ends_at=None, place="Aula"
    )
    meeting = meeting_services.create_meeting(db.session, facilitator, balangan, data)
    agenda = meeting_services.add_agenda(db.session, meeting, facilitator, "Pembukaan", None)
    person = meeting_services.PersonData("Budi", "Kasat", "Polres", "polri", None, None)
    row = meeting_services.add_new_attendee(db.session, meeting, facilitator, person)
    follow_up = meeting_services.add_follow_up(
        db.session,
        meeting,
        facilitator,
        meeting_services.FollowUpData("Patroli", "Polres", balangan.id, clock.local_today(balangan.timezone)),
    )
    final = _one(select(Meeting).where(Meeting.status == MeetingStatus.FINAL))
    db.session.flush()
    return {
        "meeting_id": meeting.id,
        "agenda_id": agenda.id,
        "row_id": row.id,
        "follow_up_id": follow_up.id,
        "final_meeting_id": final.id,
        "final_follow_up_id": _one(select(FollowUp).where(FollowUp.meeting_id == final.id)).id,
    }


def surveys(admin: User, facilitator: User) -> dict:
    """The active example template, a draft copy to edit, and an open Balangan round with one form."""
    example = _one(select(Survey).where(Survey.is_example).order_by(Survey.id))
    draft = survey_services.copy_template(db.session, example, admin, as_new_version=False)
    round_ = survey_services.open_round(
        db.session, facilitator, example, facilitator.region, "Putaran pindai", 10, True, None
    )
    form = survey_services.next_form(db.session, round_, facilitator)
    db.session.flush()
    return {
        "survey_id": example.id,
        "draft_survey_id": draft.id,
        "dimension_id": draft.dimensions[0].id,
        "question_id": draft.questions[0].id,
        "round_id": round_.id,
        "response_id": form.id,
        "entry_question_id": example.questions[0].id,
    }


def accounts(balangan: Region) -> dict:
    """The spare accounts the destructive targets act on."""
    spare = create_user(
        db.session,
        SPARE_ACCOUNT,
        UserData(full_name="Akun Sasaran Pindai", role=Role.OPERATOR, region_id=balangan.id),
        PASSWORD,
        must_change=False,
    )
    create_user(
        db.session,
        OWN_PASSWORD_ACCOUNT,
        UserData(full_name="Akun Ganti Sandi", role=Role.PIMPINAN, region_id=balangan.parent_id),
        PASSWORD,
        must_change=False,
    )
    db.session.flush()
    return {"user_id": spare.id}


def main() -> None:
    """Make the objects and print their ids."""
    app = create_app()
    with app.app_context():
        admin, operator = _user("admin"), _user("operator.balangan")
        facilitator = _user("fasilitator.balangan")
        balangan = _region("63.11")
        audit.set_actor(db.session, actor_for(admin))
        ids = {"code": balangan.code, "region_id": balangan.id}
        ids |= accounts(balangan)
        audit.set_actor(db.session, actor_for(operator))
        ids |= reports(operator, balangan)
        lapsus = lapsus_services.file_lapsus(
            db.session, operator, _incident(clock.local_today(balangan.timezone)), Classification.BIASA, clock.utcnow()
        )
        ids["lapsus_id"] = lapsus.id
        audit.set_actor(db.session, actor_for(facilitator))
        ids |= meetings(facilitator, balangan)
        audit.set_actor(db.session, actor_for(admin))
        ids |= surveys(admin, facilitator)
        published = _one(
            select(IndexDefinition).where(IndexDefinition.source == IndexSource.PUBLISHED).order_by(IndexDefinition.id)
        )
        score = PublishedScore(definition_id=published.id, region_id=balangan.id, score=40.5, source="Pindai")
        db.session.add(score)
        db.session.flush()
        ids |= {"definition_id": published.id, "score_id": score.id, "category_id": 1}
        # Edited by the scan: never the published index the score pages use.
        own = _one(
            select(IndexDefinition)
            .where(IndexDefinition.source == IndexSource.QUESTIONNAIRE)
            .order_by(IndexDefinition.id)
        )
        ids["questionnaire_definition_id"] = own.id
        analyst = _user("analis.kalsel")  # told of the LAPSUS above
        note = _one(select(Notification).where(Notification.user_id == analyst.id).order_by(Notification.id))
        ids["notification_id"] = note.id
        db.session.commit()
        print(json.dumps(ids))


if __name__ == "__main__":
    main()
