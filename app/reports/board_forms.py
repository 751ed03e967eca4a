"""The province office settings: report deadline and the letterhead."""

from wtforms import HiddenField, IntegerField, StringField, TimeField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from ..forms import BaseForm


class OfficeForm(BaseForm):
    """Deadline of daily reports and the office's letterhead and head."""

    report_deadline = TimeField(
        "Batas waktu laporan harian", format="%H:%M", validators=[DataRequired("Jam tidak sah.")]
    )
    report_grace_minutes = IntegerField(
        "Tenggang (menit)", default=0, validators=[Optional(), NumberRange(0, 720, "Tenggang 0–720 menit.")]
    )
    name = StringField("Nama kantor", validators=[DataRequired("Wajib diisi."), Length(max=160)])
    address = StringField("Alamat", validators=[Optional(), Length(max=200)])
    city = StringField("Kota tempat penandatanganan", validators=[Optional(), Length(max=80)])
    phone = StringField("Telepon", validators=[Optional(), Length(max=40)])
    email = StringField("Surel", validators=[Optional(), Length(max=120), Email("Alamat surel tidak sah.")])
    head_title = StringField("Jabatan pimpinan", validators=[Optional(), Length(max=120)])
    head_name = StringField("Nama pimpinan", validators=[Optional(), Length(max=120)])
    head_nip = StringField(
        "NIP pimpinan",
        validators=[Optional(), Regexp(r"^\d{18}$", message="NIP terdiri dari 18 angka.")],
        filters=[lambda v: v.replace(" ", "") if v else v],
    )
    version = HiddenField()

    def validate_version(self, field):
        """A hidden version is a whole number."""
        if field.data and not field.data.isdigit():
            raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")
