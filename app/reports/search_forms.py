"""The search and filter form (GET, no CSRF)."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..forms import BaseForm, optional_int, options
from .models import Aspect, ReportStatus, ThreatLevel


class SearchForm(BaseForm):
    """Text, date range, region, aspek, category, kerawanan and report status."""

    class Meta:
        csrf = False

    q = StringField("Kata kunci", validators=[Optional(), Length(max=200)])
    dari = DateField("Dari tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    sampai = DateField("Sampai tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    wilayah = SelectField("Kabupaten/kota", coerce=optional_int, default="")
    aspek = SelectField("Aspek", default="", choices=options([("", "Semua aspek")] + Aspect.choices()))
    kategori = SelectField("Kategori", coerce=optional_int, default="")
    kerawanan = SelectField("Kerawanan", default="", choices=options([("", "Semua")] + ThreatLevel.choices()))
    status = SelectField("Status laporan", default="", choices=options([("", "Semua")] + ReportStatus.choices()))

    def set_choices(self, regions, categories) -> "SearchForm":
        """Offer the regencies in the user's scope and the categories."""
        self.wilayah.choices = options([("", "Semua wilayah")] + [(str(r.id), r.name) for r in regions])
        self.kategori.choices = options([("", "Semua kategori")] + [(str(c.id), c.name) for c in categories])
        return self

    def validate_sampai(self, field):
        """The range must not run backwards, nor span more than the years we keep."""
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError("Tanggal akhir harus sama atau sesudah tanggal awal.")
