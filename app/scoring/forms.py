"""Forms of the ranking pages: the filter, index definitions, and published results."""

import re

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BaseForm, CommaFloatField, optional_int, options
from ..surveys.models import Direction
from .models import IndexSource

REQUIRED = "Wajib diisi."
BAND_LINE = re.compile(r"^(?P<label>[^<]+?)\s*(?:<\s*(?P<below>-?\d+(?:[.,]\d+)?))?\s*$")


def parse_bands(text: str) -> list[dict]:
    """'rawan rendah < 13,47' lines → [{"label", "below"}]; the last line has no bound. Raises ValueError."""
    bands = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = BAND_LINE.match(line.strip())
        if not match:
            raise ValueError(f"Baris “{line.strip()[:40]}” harus berbentuk “label < angka”.")
        below = match["below"]
        bands.append(
            {
                "label": match["label"].strip()[:60],
                "below": float(below.replace(",", ".")) if below is not None else None,
            }
        )
    if not bands:
        return []
    if any(b["below"] is None for b in bands[:-1]) or bands[-1]["below"] is not None:
        raise ValueError("Hanya baris terakhir yang tanpa batas (“label” saja).")
    bounds = [b["below"] for b in bands[:-1]]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise ValueError("Batas kategori harus naik dari atas ke bawah.")
    return bands


def format_bands(bands: list[dict]) -> str:
    """The stored bands as editable lines."""
    return "\n".join(
        f"{b['label']} < {b['below']:g}".replace(".", ",") if b["below"] is not None else b["label"]
        for b in bands or []
    )


class RankingFilter(BaseForm):
    """Which index edition, which province, ranked on what (GET, no CSRF)."""

    class Meta:
        csrf = False

    indeks = SelectField("Indeks", coerce=optional_int)
    provinsi = SelectField("Provinsi", default="")
    dasar = SelectField(
        "Dasar peringkat",
        default="kuesioner",
        choices=options([("kuesioner", "Skor kuesioner"), ("gabungan", "Skor gabungan")]),
    )
    urut = SelectField(
        "Urutkan",
        default="peringkat",
        choices=options(
            [("peringkat", "Peringkat"), ("nama", "Nama"), ("kode", "Kode wilayah"), ("n", "Jumlah responden")]
        ),
    )


def _bands_validator(_form, field):
    """The band lines must parse."""
    try:
        parse_bands(field.data)
    except ValueError as err:
        raise ValidationError(str(err)) from err


class DefinitionForm(BaseForm):
    """An index edition: how its numbers are read and categorised."""

    name = StringField("Nama indeks", validators=[DataRequired(REQUIRED), Length(max=120)])
    edition = StringField("Edisi", validators=[DataRequired(REQUIRED), Length(max=20)])
    source = SelectField("Sumber angka", choices=options(IndexSource.choices()))
    direction = SelectField("Arah", choices=options(Direction.choices()))
    reference = TextAreaField("Rujukan dan catatan", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    min_respondents = IntegerField(
        "Minimal responden per wilayah",
        default=10,
        validators=[DataRequired("Isi angka 1–1000."), NumberRange(1, 1000)],
    )
    bands_regency = TextAreaField(
        "Kategori kab/kota (satu per baris)",
        validators=[Optional(), _bands_validator],
        render_kw={"rows": 3},
        description="Mis. “rawan rendah < 13,47”; baris terakhir label saja.",
    )
    bands_province = TextAreaField(
        "Kategori provinsi", validators=[Optional(), _bands_validator], render_kw={"rows": 3}
    )
    questionnaire_weight = CommaFloatField("Bobot skor kuesioner", default=0.7, validators=[NumberRange(0, 1)])
    incident_weight = CommaFloatField("Bobot indikator kejadian", default=0.3, validators=[NumberRange(0, 1)])
    incident_days = IntegerField("Jendela kejadian (hari)", default=30, validators=[NumberRange(1, 1825)])
    weight_rendah = CommaFloatField("Bobot kejadian rawan rendah", default=1, validators=[NumberRange(0, 100)])
    weight_sedang = CommaFloatField("Bobot kejadian rawan sedang", default=3, validators=[NumberRange(0, 100)])
    weight_tinggi = CommaFloatField("Bobot kejadian rawan tinggi", default=9, validators=[NumberRange(0, 100)])
    version = HiddenField()

    def validate_incident_weight(self, field):
        """The two composite weights must not both be zero."""
        if (field.data or 0) + (self.questionnaire_weight.data or 0) <= 0:
            raise ValidationError("Bobot kuesioner dan kejadian tidak boleh keduanya 0.")


class PublishedScoreForm(BaseForm):
    """One published result."""

    region_id = SelectField("Wilayah", coerce=optional_int)
    score = CommaFloatField("Skor", validators=[InputRequired("Isi skor 0–100."), NumberRange(0, 100)])
    category = StringField("Kategori terbitan", validators=[Optional(), Length(max=60)])
    source = StringField("Sumber", validators=[Optional(), Length(max=300)])

    def validate_region_id(self, field):
        """One of the offered regions."""
        if str(field.data or "") not in {str(c.value) for c in field.choices}:
            raise ValidationError("Pilih wilayah dari daftar.")


class PublishedImportForm(BaseForm):
    """Published results as CSV/XLSX: kode, skor, kategori, sumber."""

    file = FileField("Berkas (CSV atau XLSX: kode, skor, kategori, sumber)", validators=[FileRequired("Pilih berkas.")])
