"""The search and filter form (GET, no CSRF): what the results list and both exports read."""

from functools import lru_cache

from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..forms import BaseForm, PreparedChoices, PreparedSelectField, optional_int, options
from ..regions.models import Region, RegionKind
from .models import Aspect, ReportStatus, ThreatLevel
from .search import ItemFilter

MAX_QUERY_LENGTH = 200
REGENCY_KINDS = (RegionKind.KABUPATEN, RegionKind.KOTA)


class SearchForm(BaseForm):
    """Text, date range, region, aspek, category, kerawanan and report status; every field optional."""

    class Meta:
        csrf = False

    q = StringField("Kata kunci", validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    dari = DateField("Dari tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    sampai = DateField("Sampai tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    wilayah = PreparedSelectField("Wilayah", coerce=optional_int, default="")
    aspek = PreparedSelectField("Aspek", default="")
    kategori = PreparedSelectField("Kategori isu", coerce=optional_int, default="")
    kerawanan = PreparedSelectField("Kerawanan", default="")
    status = PreparedSelectField("Status laporan", default="")

    def set_choices(self, regions, categories) -> "SearchForm":
        """Offer the regions in the user's scope (by province; a province itself when there are several)
        and the categories.

        `regions` are (id, name, kind, parent_id) rows in code order, `categories` (id, name, active) rows in
        list order. The options made of them are kept per set of rows: an administrator's 552 regions cost
        more to turn into a select than the search itself.
        """
        prepared = region_options(tuple(map(tuple, regions)))
        self._region_ids = prepared.values - {None}
        self.wilayah.prepare(prepared)
        self.kategori.prepare(category_options(tuple(map(tuple, categories))))
        self.aspek.prepare(ASPECT_CHOICES)
        self.kerawanan.prepare(THREAT_CHOICES)
        self.status.prepare(STATUS_CHOICES)
        return self

    def validate_sampai(self, field):
        """The range must not run backwards."""
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError("Tanggal akhir harus sama atau sesudah tanggal awal.")

    def chosen_region_id(self) -> int | None:
        """The id of the region chosen, when it is one of those offered."""
        return self.wilayah.data if self.wilayah.data in self._region_ids else None

    def item_filter(self, region: Region | None) -> ItemFilter:
        """The filter of a validated form; `region` is the loaded row of `chosen_region_id`."""
        return ItemFilter(
            text=self.q.data or "",
            date_from=self.dari.data,
            date_to=self.sampai.data,
            region=region,
            aspect=Aspect(self.aspek.data) if self.aspek.data else None,
            category_id=self.kategori.data,
            threat=ThreatLevel(self.kerawanan.data) if self.kerawanan.data else None,
            status=ReportStatus(self.status.data) if self.status.data else None,
        )

    def query_args(self) -> dict:
        """The filled-in filters as query-string arguments (for the export links)."""
        return {f.name: f.raw_data[0] for f in self if f.raw_data and f.raw_data[0]}


# Every select of the form is prepared once (see PreparedChoices); these three never change.
ASPECT_CHOICES = PreparedChoices.of(options([("", "Semua aspek")] + Aspect.choices()))
THREAT_CHOICES = PreparedChoices.of(options([("", "Semua tingkat")] + ThreatLevel.choices()))
STATUS_CHOICES = PreparedChoices.of(options([("", "Semua status")] + ReportStatus.choices()))


@lru_cache(maxsize=16)
def category_options(categories: tuple[tuple[int, str, bool], ...]) -> PreparedChoices:
    """The category select for these (id, name, active) rows; an inactive one says so."""
    labels = [(str(i), name if active else f"{name} (tidak aktif)") for i, name, active in categories]
    return PreparedChoices.of(options([("", "Semua kategori")] + labels), optional_int)


@lru_cache(maxsize=64)
def region_options(regions: tuple[tuple, ...]) -> PreparedChoices:
    """The region select for these (id, name, kind, parent_id) rows: every regency under its province, and
    the province itself as "Seluruh …" when there are several; a regency user gets only their own.

    Cached by the rows themselves, so a renamed or added region makes new options; 64 sets of rows (the
    administrator, the provinces in use, regency users' one-option selects) are a few hundred KB at most.
    """
    provinces = [(region_id, name) for region_id, name, kind, _ in regions if kind == RegionKind.PROVINSI]
    regencies: dict[int | None, list[tuple[str, str]]] = {}
    for region_id, name, kind, parent_id in regions:
        if kind in REGENCY_KINDS:
            regencies.setdefault(parent_id, []).append((str(region_id), name))
    choices = options([("", "Semua wilayah")])
    for province_id, province_name in provinces:
        group = [(str(province_id), f"Seluruh {province_name}")] if len(provinces) > 1 else []
        choices += options(group + regencies.get(province_id, []), optgroup=province_name)
    if not provinces:  # a regency user: only their own regency
        choices += options([pair for group in regencies.values() for pair in group])
    return PreparedChoices.of(choices, optional_int)
