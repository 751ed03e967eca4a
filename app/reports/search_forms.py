"""The search and filter form (GET, no CSRF): what the results list and both exports read."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..forms import BaseForm, QuickSelect, optional_int, options
from ..regions.models import Region
from .models import Aspect, IssueCategory, ReportStatus, ThreatLevel
from .search import ItemFilter

MAX_QUERY_LENGTH = 200


class SearchForm(BaseForm):
    """Text, date range, region, aspek, category, kerawanan and report status; every field optional."""

    class Meta:
        csrf = False

    q = StringField("Kata kunci", validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    dari = DateField("Dari tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    sampai = DateField("Sampai tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    wilayah = SelectField("Wilayah", coerce=optional_int, default="", widget=QuickSelect())
    aspek = SelectField("Aspek", default="", choices=options([("", "Semua aspek")] + Aspect.choices()))
    kategori = SelectField("Kategori isu", coerce=optional_int, default="")
    kerawanan = SelectField("Kerawanan", default="", choices=options([("", "Semua tingkat")] + ThreatLevel.choices()))
    status = SelectField("Status laporan", default="", choices=options([("", "Semua status")] + ReportStatus.choices()))

    def set_choices(self, regions: list[Region], categories: list[IssueCategory]) -> "SearchForm":
        """Offer the regions in the user's scope (by province; a province itself when there are several)."""
        self._regions = {r.id: r for r in regions}
        provinces = [r for r in regions if r.is_province]
        regencies: dict[int | None, list[Region]] = {}
        for region in regions:
            if region.is_regency:
                regencies.setdefault(region.parent_id, []).append(region)
        choices = options([("", "Semua wilayah")])
        for province in provinces:
            group = [(str(province.id), f"Seluruh {province.name}")] if len(provinces) > 1 else []
            group += [(str(r.id), r.name) for r in regencies.get(province.id, [])]
            choices += options(group, optgroup=province.name)
        if not provinces:  # a regency user: only their own regency
            choices += options([(str(r.id), r.name) for r in regions if r.is_regency])
        self.wilayah.choices = choices
        labels = [(str(c.id), c.name if c.active else f"{c.name} (tidak aktif)") for c in categories]
        self.kategori.choices = options([("", "Semua kategori")] + labels)
        return self

    def validate_sampai(self, field):
        """The range must not run backwards."""
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError("Tanggal akhir harus sama atau sesudah tanggal awal.")

    def item_filter(self) -> ItemFilter:
        """The filter of a validated form."""
        return ItemFilter(
            text=self.q.data or "",
            date_from=self.dari.data,
            date_to=self.sampai.data,
            region=self._regions.get(self.wilayah.data),
            aspect=Aspect(self.aspek.data) if self.aspek.data else None,
            category_id=self.kategori.data,
            threat=ThreatLevel(self.kerawanan.data) if self.kerawanan.data else None,
            status=ReportStatus(self.status.data) if self.status.data else None,
        )

    def query_args(self) -> dict:
        """The filled-in filters as query-string arguments (for the export links)."""
        return {f.name: f.raw_data[0] for f in self if f.raw_data and f.raw_data[0]}
