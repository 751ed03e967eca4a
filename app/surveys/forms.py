"""Questionnaire forms: template, dimension, question (with type settings), import, round, second entry."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BaseForm, CommaFloatField, optional_int, options
from .models import Direction, QuestionType
from .rules import DEFAULT_SCALE_LABELS

REQUIRED = "Wajib diisi."


class SurveyForm(BaseForm):
    """The template's own fields."""

    name = StringField("Nama kuesioner", validators=[DataRequired(REQUIRED), Length(max=200)])
    edition = StringField("Edisi/tahun", validators=[DataRequired(REQUIRED), Length(max=20)])
    index_name = StringField(
        "Indeks yang diisi",
        validators=[DataRequired(REQUIRED), Length(max=120)],
        description="Mis. Indeks Kerawanan Pilkada",
    )
    direction = SelectField("Arah skor", choices=options(Direction.choices()), default=Direction.HIGHER_WORSE.value)
    description = TextAreaField("Keterangan", validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    version = HiddenField()

    def validate_version(self, field):
        """A hidden version is a whole number."""
        if field.data and not field.data.isdigit():
            raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")


class DimensionForm(BaseForm):
    """A dimension: code, name and weight."""

    code = StringField("Kode", validators=[DataRequired(REQUIRED), Length(max=20)])
    name = StringField("Nama dimensi", validators=[DataRequired(REQUIRED), Length(max=200)])
    weight = CommaFloatField(
        "Bobot",
        default=1.0,
        validators=[DataRequired("Isi bobot lebih dari 0."), NumberRange(0.0001, 1000, "Bobot 0–1000.")],
    )


class QuestionForm(BaseForm):
    """A question; the settings fields that matter depend on its type."""

    code = StringField("Kode", validators=[DataRequired(REQUIRED), Length(max=20)])
    text = TextAreaField("Pertanyaan", validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 2})
    help = StringField("Petunjuk", validators=[Optional(), Length(max=500)])
    qtype = SelectField("Jenis", choices=options(QuestionType.choices()), default=QuestionType.SCALE.value)
    dimension_id = SelectField("Dimensi", coerce=optional_int)
    reversed = BooleanField("Dibalik (skor tinggi berarti sebaliknya)")
    required = BooleanField("Wajib dijawab", default=True)
    scale_labels = TextAreaField(
        "Label skala (5 baris)",
        default="\n".join(DEFAULT_SCALE_LABELS),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 5},
        description="Untuk jenis skala 1–5.",
    )
    choice_options = TextAreaField(
        "Pilihan (satu per baris: label = skor)",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4},
        description="Untuk pilihan tunggal, mis. “Sering = 3”.",
    )
    yes_score = CommaFloatField("Skor ya", validators=[Optional()], default=1)
    no_score = CommaFloatField("Skor tidak", validators=[Optional()], default=0)
    min_value = CommaFloatField("Angka terkecil", validators=[Optional()])
    max_value = CommaFloatField("Angka terbesar", validators=[Optional()])

    def validate_choice_options(self, field):
        """Each line is 'label = score' with a numeric score."""
        for line in (field.data or "").splitlines():
            if line.strip() and not _parse_option(line):
                raise ValidationError(f"Baris “{line.strip()[:40]}” harus berbentuk “label = skor”.")

    def settings(self) -> dict:
        """The type settings as stored on the question."""
        kind = self.qtype.data
        if kind == "scale":
            return {"labels": [line.strip() for line in (self.scale_labels.data or "").splitlines() if line.strip()]}
        if kind == "choice":
            parsed = [_parse_option(line) for line in (self.choice_options.data or "").splitlines() if line.strip()]
            return {"options": [option for option in parsed if option]}
        if kind == "yesno":
            return {"yes": self.yes_score.data, "no": self.no_score.data}
        if kind == "number":
            return {"min": self.min_value.data, "max": self.max_value.data}
        return {}

    def fill_settings(self, qtype: str, settings: dict) -> None:
        """Show a question's stored settings in the fields."""
        if qtype == "scale":
            self.scale_labels.data = "\n".join(settings.get("labels", []))
        elif qtype == "choice":
            self.choice_options.data = "\n".join(
                f"{o['label']} = {_number(o['score'])}" for o in settings.get("options", [])
            )
        elif qtype == "yesno":
            self.yes_score.data, self.no_score.data = settings.get("yes"), settings.get("no")
        elif qtype == "number":
            self.min_value.data, self.max_value.data = settings.get("min"), settings.get("max")


def _number(value):
    """3.0 → 3."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _parse_option(line: str) -> dict | None:
    """'Sering = 3' → {"label": "Sering", "score": 3}."""
    label, sep, score = line.rpartition("=")
    if not sep or not label.strip():
        return None
    try:
        return {"label": label.strip()[:200], "score": _number(float(score.strip().replace(",", ".")))}
    except ValueError:
        return None


class ImportTemplateForm(BaseForm):
    """A template as JSON."""

    file = FileField("Berkas templat (JSON)", validators=[FileRequired("Pilih berkas.")])


class RoundForm(BaseForm):
    """Open a round: which template, where, during which meeting, how many forms."""

    survey_id = SelectField("Kuesioner", coerce=optional_int)
    region_id = SelectField("Wilayah", coerce=optional_int)
    meeting_id = SelectField("Rapat (opsional)", coerce=optional_int, default="")
    title = StringField("Judul putaran", validators=[DataRequired(REQUIRED), Length(max=200)])
    expected_forms = IntegerField(
        "Jumlah formulir kertas", default=25, validators=[Optional(), NumberRange(0, 5000, "0–5000 formulir.")]
    )
    double_entry = BooleanField("Entri ganda (orang kedua mengetik ulang sebagian formulir untuk diperiksa)")

    def validate_survey_id(self, field):
        """One of the offered templates."""
        if str(field.data or "") not in {c.value for c in field.choices}:
            raise ValidationError("Pilih kuesioner dari daftar.")

    def validate_region_id(self, field):
        """One of the offered regions."""
        if str(field.data or "") not in {c.value for c in field.choices}:
            raise ValidationError("Pilih wilayah dari daftar.")

    def validate_meeting_id(self, field):
        """Empty or one of the offered meetings."""
        if field.data is not None and str(field.data) not in {c.value for c in field.choices}:
            raise ValidationError("Pilih rapat dari daftar.")


class SecondEntryForm(BaseForm):
    """Which paper form to type again."""

    number = IntegerField("Nomor formulir", validators=[DataRequired("Isi nomor formulir."), NumberRange(1, 100000)])
