"""Daily reports for every regency and day, as the workflow would leave them: missing days, drafts, nihil,
on time or late (judged against the province's deadline, as `submit_report` does), returned and resubmitted,
verified; with their items, review events (snapshots on every submission), notifications and LAPSUS.
"""

import json
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from ..lapsus.models import SpecialReport
from ..notifications.models import Notification, NotificationKind
from ..reports.models import RETURN_REASONS, DailyReport, ReportEvent, ReportItem
from ..reports.services import NIHIL_SUMMARY
from ..ui import format_short_date
from .bulk import search_body
from .incidents import IncidentMaker
from .world import Person, Place, World

REPORT_COLUMNS = [
    "id",
    "region_id",
    "report_date",
    "status",
    "nihil",
    "situation_level",
    "summary",
    "classification",
    "author_id",
    "created_at",
    "updated_at",
    "first_submitted_at",
    "submitted_at",
    "late",
    "reviewed_by_id",
    "reviewed_at",
    "return_reasons",
    "return_note",
    "revision",
    "version",
]
INCIDENT_COLUMNS = [
    "aspect",
    "title",
    "what",
    "occurred_date",
    "occurred_time",
    "desa",
    "latitude",
    "longitude",
    "actors",
    "how",
    "why",
    "source_kind",
    "source_detail",
    "source_reliability",
    "info_credibility",
    "analysis",
    "prediction",
    "steps_taken",
    "recommendation",
    "threat_level",
    "category_id",
    "kecamatan_id",
]
ITEM_COLUMNS = ["id", "report_id", "position", "created_at", "updated_at", "version", *INCIDENT_COLUMNS]
EVENT_COLUMNS = ["id", "report_id", "at", "actor_id", "actor_name", "action", "revision", "reasons", "note", "snapshot"]
NOTIFICATION_COLUMNS = [
    "id",
    "user_id",
    "kind",
    "title",
    "body",
    "url",
    "region_id",
    "dedupe_key",
    "created_at",
    "read_at",
]
LAPSUS_COLUMNS = [
    "id",
    "region_id",
    "classification",
    "filed_by_id",
    "filed_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "acknowledgement_note",
    "version",
    *INCIDENT_COLUMNS,
]
ITEM_COUNTS = (1, 2, 3, 4, 5, 6, 7)
ITEM_WEIGHTS = (14, 20, 22, 18, 12, 8, 6)  # mean 3.4 items a non-nihil report
SUMMARIES = {
    1: "Situasi secara umum kondusif.",
    2: "Situasi kondusif; perlu kewaspadaan terhadap perkembangan isu di bawah.",
    3: "Siaga: ada kejadian yang berpotensi meluas dan perlu penanganan.",
    4: "Awas: kejadian menonjol sedang berlangsung; penanganan bersama Forkopimda.",
}
REASONS = ("fakta", "sumber", "analisa", "rekomendasi", "kerawanan", "situasi")
RETURN_NOTES = (
    "Mohon lengkapi kronologi kejadian.",
    "Sumber informasi dan nilainya belum jelas.",
    "Tambahkan analisa dan rekomendasi.",
    "Tingkat kerawanan perlu ditinjau kembali.",
    None,
)
ACK_NOTES = ("Diteruskan kepada pimpinan.", "Dipantau bersama Forkopimda.", None)


@lru_cache(maxsize=4096)
def short_date(day: date) -> str:
    """'3 Sep 2024' (Babel is slow; the same few dates recur)."""
    return format_short_date(day)


class ReportMaker:
    """Walks the days oldest first (ids then grow with time, as in real use) and every regency each day."""

    def __init__(self, world: World, report_path: str, lapsus_path: str):
        self.world, self.writer, self.now = world, world.writer, world.plan.now
        self.rng = world.plan.rng("reports")
        self.text = world.text(self.rng)
        self.incidents = IncidentMaker(self.text, self.rng, world.categories)
        self.report_path, self.lapsus_path = report_path, lapsus_path
        self.search = world.search
        writer = self.writer
        for model, columns in (
            (DailyReport, REPORT_COLUMNS),
            (ReportItem, ITEM_COLUMNS),
            (ReportEvent, EVENT_COLUMNS),
            (SpecialReport, LAPSUS_COLUMNS),
            (Notification, NOTIFICATION_COLUMNS),
        ):
            writer.table(model.__table__, columns)
        self.ids = {
            name: writer.next_id(model.__table__)
            for name, model in (
                ("report", DailyReport),
                ("item", ReportItem),
                ("event", ReportEvent),
                ("lapsus", SpecialReport),
                ("notification", Notification),
            )
        }
        # Time of day as stored by each driver (SQLAlchemy writes microseconds on SQLite).
        self.time_text = (lambda t: t + ".000000") if writer.sqlite else (lambda t: t)

    def _id(self, name: str) -> int:
        """The next id of a table."""
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def run(self, days: int) -> None:
        """Every regency-day of the window; a commit every 60 days keeps transactions large but bounded."""
        for regency in self.world.regencies:
            regency.villages = self.incidents.villages(regency, 30)
        for back in range(days - 1, -1, -1):
            for regency in self.world.regencies:
                self.regency_day(regency, regency.today - timedelta(days=back))
            if back % 60 == 0:
                self.writer.commit()

    # ------------------------------------------------------------ one regency-day

    def regency_day(self, regency: Place, day: date) -> None:
        """Missing, draft, nihil or a report with items; its review; perhaps a LAPSUS."""
        rng = self.rng
        if rng.random() < 0.004 + 0.02 * regency.unrest:
            self.lapsus(regency, day)
        if rng.random() < regency.missing:
            return
        province = regency.province
        midnight = regency.utc(day, time(0))
        deadline = province.deadline.hour * 60 + province.deadline.minute + province.grace_minutes
        due = midnight + timedelta(minutes=deadline)
        if rng.random() >= regency.late:
            submit = midnight + timedelta(minutes=rng.randint(7 * 60, deadline - 5))
        elif rng.random() < 0.7:
            submit = midnight + timedelta(minutes=rng.randint(deadline + 5, 23 * 60 + 30))
        else:
            submit = midnight + timedelta(days=rng.randint(1, 3), minutes=rng.randint(8 * 60, 16 * 60))
        submit += timedelta(seconds=rng.randint(0, 59))
        created = submit - timedelta(minutes=rng.randint(10, 120))
        if created > self.now:
            return  # not started yet: the board shows it as pending or missing
        draft = submit > self.now or rng.random() < 0.003  # still being written, or abandoned
        nihil = not draft and rng.random() < regency.nihil
        author = regency.operators[0] if len(regency.operators) == 1 or rng.random() < 0.8 else regency.operators[1]
        roll = rng.random()
        classification = "biasa" if roll < 0.9 else "terbatas" if roll < 0.98 else "rahasia"
        report_id = self._id("report")
        latest = (submit + regency.offset).time() if submit < midnight + timedelta(days=1) else time(23, 59)
        items = [] if nihil else self.items(regency, day, latest, draft)
        level = 1 if nihil else self.level(items) if not (draft and rng.random() < 0.3) else None
        summary = NIHIL_SUMMARY if nihil else SUMMARIES[level] if level else None
        header = {"situation_level": level, "summary": summary, "classification": classification, "nihil": nihil}
        item_ids = [self._id("item") for _ in items]
        # Parents before children: a batch may be written between any two rows.
        if draft:
            self.write_report(report_id, regency, day, "draft", header, author, created, created, None, None, False)
            self.write_items(report_id, item_ids, items, created, {}, regency.scope)
            return
        review = self.review(header, item_ids, items, author, regency, submit)
        self.write_report(
            report_id,
            regency,
            day,
            review["status"],
            header,
            author,
            created,
            review["updated"],
            submit,
            review["submitted"],
            submit > due,
            review,
        )
        self.write_items(report_id, item_ids, items, created, review["changed"], regency.scope)
        self.write_events(regency, report_id, day, header, review["events"])

    def items(self, regency: Place, day: date, latest: time, draft: bool) -> list[dict]:
        """The incidents of a report (a draft may have fewer so far)."""
        count = self.rng.choices(ITEM_COUNTS, ITEM_WEIGHTS)[0]
        if draft:
            count = self.rng.randint(0, count)
        return [self.incidents.incident(regency, day, latest) for _ in range(count)]

    def level(self, items: list[dict]) -> int:
        """Situasi umum, the operator's overall judgement: it follows the worst item loosely (a tinggi item
        makes the day Siaga about half the time, Awas rarely), so most days stay Kondusif or Waspada."""
        roll = self.rng.random()
        worst = {i["threat_level"] for i in items}
        if "tinggi" in worst:
            return 4 if roll < 0.08 else 3 if roll < 0.5 else 2
        if "sedang" in worst:
            return 2 if roll < 0.6 else 1
        return 2 if roll < 0.15 else 1

    def review(
        self, header: dict, item_ids: list[int], items: list[dict], author: Person, regency: Place, submit: datetime
    ) -> dict:
        """Submission and the province's review, cut off at `now`: verified, returned (and perhaps resubmitted
        with one item corrected), or still waiting."""
        rng, now, province = self.rng, self.now, regency.province
        analyst = province.analysts[0] if rng.random() < 0.75 else province.analysts[1]
        first_action = "nihil" if header["nihil"] else "submitted"
        events = [(submit, author, first_action, 0, None, None, self.snapshot(header, item_ids, items))]
        state = {"status": "submitted", "submitted": submit, "updated": submit, "changed": {}, "revision": 0}
        state.update(reviewed_by=None, reviewed_at=None, reasons=None, note=None)
        reviewed = submit + timedelta(hours=rng.expovariate(1 / province.review_hours) + 0.2)
        if rng.random() >= province.never_reviewed and reviewed <= now:
            returns = province.returns * (0.2 if header["nihil"] else 1)
            if rng.random() < returns and items:
                reasons = rng.sample(REASONS, rng.choice((1, 1, 2)))
                note = rng.choice(RETURN_NOTES)
                events.append((reviewed, analyst, "returned", 0, reasons, note, None))
                state.update(
                    status="returned", reviewed_by=analyst.id, reviewed_at=reviewed, reasons=reasons, note=note
                )
                state["updated"] = reviewed
                again = reviewed + timedelta(hours=rng.uniform(2, 30))
                if rng.random() < 0.85 and again <= now:
                    position = rng.randrange(len(items))
                    fixed = dict(items[position], what=f"{items[position]['what']} {self.text.sentence(6, 14)}")
                    corrected = [fixed if n == position else item for n, item in enumerate(items)]
                    state["changed"] = {position: (fixed, again)}
                    events.append(
                        (again, author, "resubmitted", 1, None, None, self.snapshot(header, item_ids, corrected))
                    )
                    state.update(status="submitted", submitted=again, updated=again, revision=1)
                    verified = again + timedelta(hours=rng.expovariate(1 / province.review_hours) + 0.2)
                    if verified <= now:
                        events.append((verified, analyst, "verified", 1, None, None, None))
                        state.update(status="verified", reviewed_by=analyst.id, reviewed_at=verified, updated=verified)
            else:
                events.append((reviewed, analyst, "verified", 0, None, None, None))
                state.update(status="verified", reviewed_by=analyst.id, reviewed_at=reviewed, updated=reviewed)
        state["events"] = events
        return state

    def snapshot(self, header: dict, item_ids: list[int], items: list[dict]) -> str:
        """The report as submitted, exactly as `reports.services.snapshot` keeps it."""
        return json.dumps({**header, "items": [{"id": i, **item} for i, item in zip(item_ids, items, strict=True)]})

    # ------------------------------------------------------------ rows

    def write_report(
        self,
        report_id: int,
        regency: Place,
        day: date,
        status: str,
        header: dict,
        author: Person,
        created: datetime,
        updated: datetime,
        first: datetime | None,
        submitted: datetime | None,
        late: bool,
        review: dict | None = None,
    ) -> None:
        """The daily_reports row."""
        moment, review = self.writer.moment, review or {}
        self.writer.add(
            "daily_reports",
            (
                report_id,
                regency.id,
                self.writer.day(day),
                status,
                header["nihil"],
                header["situation_level"],
                header["summary"],
                header["classification"],
                author.id,
                moment(created),
                moment(updated),
                moment(first),
                moment(submitted),
                late,
                review.get("reviewed_by"),
                moment(review.get("reviewed_at")),
                json.dumps(review["reasons"]) if review.get("reasons") is not None else None,
                review.get("note"),
                review.get("revision", 0),
                2 + len(review.get("events", ())),
            ),
        )

    def write_items(
        self, report_id: int, item_ids: list[int], items: list[dict], created: datetime, changed: dict, scope: str
    ) -> None:
        """The report_items rows; an item corrected on resubmission carries its new text and version 2."""
        moment, add, step = self.writer.moment, self.writer.add, timedelta(minutes=3)
        for position, (item_id, item) in enumerate(zip(item_ids, items, strict=True)):
            made = moment(created + step * position)
            version, updated = 1, made
            if position in changed:
                item, at = changed[position]
                version, updated = 2, moment(at)
            add("report_items", (item_id, report_id, position + 1, made, updated, version, *self.incident_row(item)))
            if self.search:
                add("report_item_search", (item_id, item["title"], search_body(item), scope))

    def incident_row(self, item: dict) -> tuple:
        """The incident columns of an item or LAPSUS, in INCIDENT_COLUMNS order."""
        return (
            item["aspect"],
            item["title"],
            item["what"],
            item["occurred_date"],
            self.time_text(item["occurred_time"]),
            item["desa"],
            None,
            None,
            item["actors"],
            item["how"],
            item["why"],
            item["source_kind"],
            item["source_detail"],
            item["source_reliability"],
            item["info_credibility"],
            item["analysis"],
            item["prediction"],
            item["steps_taken"],
            item["recommendation"],
            item["threat_level"],
            item["category_id"],
            item["kecamatan_id"],
        )

    def write_events(self, regency: Place, report_id: int, day: date, header: dict, events: list) -> None:
        """The report_events rows and the notifications the services would have sent with them."""
        moment, add = self.writer.moment, self.writer.add
        for at, actor, action, revision, reasons, note, snapshot in events:
            add(
                "report_events",
                (
                    self._id("event"),
                    report_id,
                    moment(at),
                    actor.id,
                    actor.full_name,
                    action,
                    revision,
                    json.dumps(reasons) if reasons is not None else None,
                    note,
                    snapshot,
                ),
            )
            if action == "verified":
                continue
            url = self.report_path.format(report_id)
            if action == "returned":
                labels = [RETURN_REASONS.get(r, r) for r in reasons]
                body = "; ".join([*labels, note] if note else labels)
                title = f"Laporan {short_date(day)} dikembalikan provinsi"
                for operator in regency.operators:
                    self.notification(
                        operator, NotificationKind.REPORT_RETURNED, title, f"Alasan: {body}", url, regency, at
                    )
                continue
            what = "dikirim ulang" if action == "resubmitted" else ("nihil" if header["nihil"] else "masuk")
            title = f"Laporan {regency.name} {short_date(day)} {what}"
            for analyst in regency.province.analysts:
                self.notification(analyst, NotificationKind.REPORT_SUBMITTED, title, None, url, regency, at)

    def notification(
        self, user: Person, kind: NotificationKind, title: str, body: str | None, url: str, regency: Place, at: datetime
    ) -> None:
        """One notification; those older than a day have been read (the app keeps them all)."""
        read = None
        if at < self.now - timedelta(days=1) or self.rng.random() < 0.5:
            read = min(self.now, at + timedelta(hours=self.rng.uniform(0.2, 20)))
        moment = self.writer.moment
        self.writer.add(
            "notifications",
            (
                self._id("notification"),
                user.id,
                kind.value,
                title[:200],
                body,
                url,
                regency.id,
                None,
                moment(at),
                moment(read),
            ),
        )

    def lapsus(self, regency: Place, day: date) -> None:
        """An urgent single-event report, acknowledged by an analyst unless it is very recent."""
        rng, now = self.rng, self.now
        filed = regency.utc(day, time(rng.randint(6, 21), rng.randint(0, 59)))
        if filed > now:
            return
        item = self.incidents.incident(regency, day, (filed + regency.offset).time())
        item["threat_level"] = "tinggi" if rng.random() < 0.6 else "sedang"
        analyst = regency.province.analysts[0]
        acknowledged = filed + timedelta(hours=rng.uniform(0.3, 30))
        acknowledged = acknowledged if acknowledged <= now and rng.random() < 0.97 else None
        roll = rng.random()
        lapsus_id = self._id("lapsus")
        moment = self.writer.moment
        self.writer.add(
            "special_reports",
            (
                lapsus_id,
                regency.id,
                "biasa" if roll < 0.7 else "terbatas" if roll < 0.95 else "rahasia",
                regency.operators[0].id,
                moment(filed),
                analyst.id if acknowledged else None,
                moment(acknowledged),
                rng.choice(ACK_NOTES) if acknowledged else None,
                2 if acknowledged else 1,
                *self.incident_row(item),
            ),
        )
        title, url = f"LAPSUS {regency.name}: {item['title']}", self.lapsus_path.format(lapsus_id)
        for person in regency.province.analysts:
            kind = NotificationKind.LAPSUS_FILED
            self.notification(person, kind, title, f"Kerawanan {item['threat_level']}.", url, regency, filed)
