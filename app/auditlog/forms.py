"""Filters of the audit log (GET, no CSRF)."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..audit import ACTION_LABELS, entity_labels
from ..forms import BaseForm, options


class AuditFilterForm(BaseForm):
    """User, entity, action and date range."""

    class Meta:
        csrf = False

    user = StringField("Pengguna", validators=[Optional(), Length(max=40)])
    entity = SelectField("Data", default="")
    action = SelectField(
        "Tindakan", default="", choices=options([("", "Semua tindakan")] + list(ACTION_LABELS.items()))
    )
    date_from = DateField("Dari tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})
    date_to = DateField("Sampai tanggal", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = sorted(entity_labels().items(), key=lambda item: item[1])
        self.entity.choices = options([("", "Semua data")] + labels)

    def validate_date_to(self, field):
        """The range must not run backwards."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Tanggal akhir harus sama atau sesudah tanggal awal.")
