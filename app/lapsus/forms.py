"""LAPSUS forms: the incident form plus classification, and the acknowledgement."""

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from ..forms import BaseForm, options
from ..reports.forms import IncidentForm
from ..reports.models import Classification


class LapsusForm(IncidentForm):
    """One urgent incident and who may see it."""

    classification = SelectField(
        "Klasifikasi", default=Classification.BIASA.value, choices=options(Classification.choices())
    )


class AcknowledgeForm(BaseForm):
    """The province's acknowledgement, with an optional note."""

    note = TextAreaField("Tanggapan", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    version = HiddenField()

    def validate_version(self, field):
        """A hidden version is a whole number."""
        if field.data and not field.data.isdigit():
            raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")
