"""Forms of the daily report: header, incident (also used by LAPSUS), review steps, report date."""

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BaseForm, CheckboxListField, CommaFloatField, optional_int, options
from .models import (
    INFO_CREDIBILITY,
    ITEM_FIELD_LABELS,
    RETURN_REASONS,
    SOURCE_RELIABILITY,
    Aspect,
    Classification,
    SourceKind,
    ThreatLevel,
)

REQUIRED = "Wajib diisi."
L = ITEM_FIELD_LABELS


def _version_ok(_form, field):
    """A hidden version is a whole number."""
    if field.data and not str(field.data).isdigit():
        raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")


def version_value(form) -> int | None:
    """The version the form was loaded with, or None when absent."""
    return int(form.version.data) if form.version.data else None


class ReportDateForm(BaseForm):
    """Which day a report is for (today, or an earlier day filed late)."""

    report_date = DateField(
        "Tanggal laporan",
        validators=[DataRequired("Tanggal tidak sah.")],
        format="%Y-%m-%d",
        render_kw={"type": "date"},
    )


class ReportHeaderForm(BaseForm):
    """Situasi umum, summary and classification."""

    situation_level = SelectField("Situasi umum", coerce=optional_int)
    summary = TextAreaField("Ringkasan situasi", validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    classification = SelectField(
        "Klasifikasi", default=Classification.BIASA.value, choices=options(Classification.choices())
    )
    version = HiddenField(validators=[_version_ok])

    def set_levels(self, labels: list[str]) -> "ReportHeaderForm":
        """Offer the configured situasi umum scale."""
        self.situation_level.choices = options(
            [("", "— pilih —")] + [(str(i), lab) for i, lab in enumerate(labels, start=1)]
        )
        return self


def _text(label: str, max_length: int, rows: int = 2, required: bool = False):
    """A text area with a length limit."""
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=max_length)], render_kw={"rows": rows})


class IncidentForm(BaseForm):
    """One incident: facts (5W+1H), source and grading, opinion, and tingkat kerawanan."""

    aspect = SelectField(
        L["aspect"],
        default="",
        choices=options([("", "— pilih —")] + Aspect.choices()),
        validators=[DataRequired(REQUIRED)],
    )
    category_id = SelectField(L["category_id"], coerce=optional_int)
    threat_level = SelectField(
        L["threat_level"],
        default="",
        choices=options([("", "— pilih —")] + ThreatLevel.choices()),
        validators=[DataRequired(REQUIRED)],
    )
    title = StringField(L["title"], validators=[DataRequired(REQUIRED), Length(max=200)])
    what = _text(L["what"], 4000, rows=3, required=True)
    occurred_date = DateField(
        L["occurred_date"],
        validators=[DataRequired("Tanggal tidak sah.")],
        format="%Y-%m-%d",
        render_kw={"type": "date"},
    )
    occurred_time = TimeField(L["occurred_time"], validators=[Optional()], format="%H:%M")
    kecamatan_id = SelectField(L["kecamatan_id"], coerce=optional_int)
    desa = StringField(L["desa"], validators=[Optional(), Length(max=120)])
    latitude = CommaFloatField(
        L["latitude"],
        validators=[Optional(), NumberRange(-11.5, 6.5, "Lintang wilayah Indonesia antara -11,5 dan 6,5.")],
    )
    longitude = CommaFloatField(
        L["longitude"],
        validators=[Optional(), NumberRange(94.0, 141.5, "Bujur wilayah Indonesia antara 94 dan 141,5.")],
    )
    actors = _text(L["actors"], 2000)
    how = _text(L["how"], 4000)
    why = _text(L["why"], 4000)
    source_kind = SelectField(L["source_kind"], default="", choices=options([("", "— pilih —")] + SourceKind.choices()))
    source_detail = _text(L["source_detail"], 2000)
    source_reliability = SelectField(
        L["source_reliability"], default="", choices=options([("", "— pilih —")] + list(SOURCE_RELIABILITY.items()))
    )
    info_credibility = SelectField(
        L["info_credibility"],
        coerce=optional_int,
        choices=options([("", "— pilih —")] + [(str(k), v) for k, v in INFO_CREDIBILITY.items()]),
    )
    analysis = _text(L["analysis"], 4000)
    prediction = _text(L["prediction"], 4000)
    steps_taken = _text(L["steps_taken"], 4000)
    recommendation = _text(L["recommendation"], 4000)
    version = HiddenField(validators=[_version_ok])

    def set_places(self, categories, kecamatan) -> "IncidentForm":
        """Offer the active issue categories and the region's kecamatan."""
        self.category_id.choices = options([("", "— pilih —")] + [(str(c.id), c.name) for c in categories])
        self.kecamatan_id.choices = options([("", "— pilih —")] + [(str(k.id), k.name) for k in kecamatan])
        return self


class ReturnForm(BaseForm):
    """Send a report back: reasons from a checklist, and a note."""

    reasons = CheckboxListField("Alasan", choices=options(RETURN_REASONS.items()), validate_choice=True)
    note = TextAreaField("Catatan untuk operator", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})


class NoteForm(BaseForm):
    """A review step with an optional (verify) or required (reopen) note."""

    note = TextAreaField("Catatan", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
