"""Meeting forms: the plan, agenda, a new attendee, import, minutes, follow-ups, the signed scan."""

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..forms import BaseForm, id_value, optional_int, options
from .importer import UNSUR
from .models import FollowUpStatus, MeetingKind

REQUIRED = "Wajib diisi."
NIP = [Optional(), Regexp(r"^\d{18}$", message="NIP terdiri dari 18 angka.")]


def _no_spaces(value):
    """NIPs are often typed with spaces."""
    return value.replace(" ", "") if value else value


class VersionedForm(BaseForm):
    """A form that carries the version of the row it edits."""

    version = HiddenField()

    def validate_version(self, field):
        """A hidden version is a whole number."""
        if field.data and not str(field.data).isdigit():
            raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")

    def version_value(self) -> int | None:
        """The version the form was loaded with."""
        return int(self.version.data) if self.version.data else None


class MeetingForm(VersionedForm):
    """What, when (local time), where, and who leads and takes the minutes."""

    title = StringField("Judul rapat", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(
        "Jenis rapat", default=MeetingKind.RAKOR_KEWASPADAAN.value, choices=options(MeetingKind.choices())
    )
    region_id = SelectField("Wilayah", coerce=optional_int)
    day = DateField(
        "Tanggal", format="%Y-%m-%d", validators=[DataRequired("Tanggal tidak sah.")], render_kw={"type": "date"}
    )
    start_time = TimeField("Jam mulai", format="%H:%M", validators=[DataRequired("Jam tidak sah.")])
    end_time = TimeField("Jam selesai", format="%H:%M", validators=[Optional()])
    place = StringField("Tempat", validators=[DataRequired(REQUIRED), Length(max=200)])
    organizer = StringField("Penyelenggara", validators=[Optional(), Length(max=200)])
    chair_name = StringField("Pimpinan rapat", validators=[Optional(), Length(max=120)])
    chair_title = StringField("Jabatan pimpinan rapat", validators=[Optional(), Length(max=120)])
    chair_nip = StringField("NIP pimpinan rapat", validators=NIP, filters=[_no_spaces])
    secretary_name = StringField("Notulis", validators=[Optional(), Length(max=120)])
    secretary_title = StringField("Jabatan notulis", validators=[Optional(), Length(max=120)])
    secretary_nip = StringField("NIP notulis", validators=NIP, filters=[_no_spaces])

    def validate_region_id(self, field):
        """The region must be one of the offered options."""
        if str(field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("Pilih wilayah dari daftar.")


class AgendaForm(BaseForm):
    """One agenda item."""

    title = StringField("Acara", validators=[DataRequired(REQUIRED), Length(max=200)])
    presenter = StringField("Penyaji", validators=[Optional(), Length(max=160)])


class AttendeeForm(BaseForm):
    """A person to add: from the registry (participant_id) or typed in for the first time."""

    participant_id = HiddenField()
    name = StringField("Nama", validators=[Length(max=120)], render_kw={"autocomplete": "off", "spellcheck": "false"})
    jabatan = StringField("Jabatan", validators=[Optional(), Length(max=120)])
    instansi = StringField("Instansi/lembaga", validators=[Optional(), Length(max=160)])
    unsur = SelectField("Unsur", default="lainnya", choices=options(UNSUR.items()))
    sex = SelectField("L/P", default="", choices=options([("", "–"), ("L", "L"), ("P", "P")]))
    phone = StringField(
        "No. HP", validators=[Optional(), Regexp(r"^\+?[0-9 .-]{8,20}$", message="Nomor HP tidak sah.")]
    )

    def validate_name(self, field):
        """A new person needs a name; someone picked from the registry does not."""
        if not self.participant_id.data and not (field.data or "").strip():
            raise ValidationError(REQUIRED)

    def validate_participant_id(self, field):
        """A registry id is a whole number a row can have."""
        if field.data and id_value(str(field.data)) is None:
            raise ValidationError("Peserta tidak sah.")


class ImportForm(BaseForm):
    """An attendance list as CSV or XLSX."""

    file = FileField("Berkas daftar peserta (CSV atau XLSX)", validators=[FileRequired("Pilih berkas.")])


class ScanForm(BaseForm):
    """The signed daftar hadir, scanned."""

    file = FileField(
        "Daftar hadir bertanda tangan (PDF, JPEG atau PNG, maks. 10 MB)", validators=[FileRequired("Pilih berkas.")]
    )


class MinutesForm(VersionedForm):
    """Opening, conclusions, recommendations, closing and the next meeting (discussion per agenda apart)."""

    opening = TextAreaField("Pembukaan", validators=[Optional(), Length(max=10000)], render_kw={"rows": 3})
    conclusions = TextAreaField(
        "Keputusan/kesimpulan",
        validators=[Optional(), Length(max=10000)],
        description="Satu kesimpulan per baris; tiap baris dapat dijadikan tindak lanjut.",
        render_kw={"rows": 5},
    )
    recommendations = TextAreaField("Rekomendasi", validators=[Optional(), Length(max=10000)], render_kw={"rows": 3})
    closing = TextAreaField("Penutupan", validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})
    next_meeting = TextAreaField("Rapat berikutnya", validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


class FollowUpForm(BaseForm):
    """A follow-up action drawn from a conclusion."""

    conclusion = HiddenField()
    description = TextAreaField(
        "Uraian tindak lanjut", validators=[DataRequired(REQUIRED), Length(max=4000)], render_kw={"rows": 2}
    )
    responsible = StringField("Penanggung jawab", validators=[DataRequired(REQUIRED), Length(max=200)])
    region_id = SelectField("Wilayah", coerce=optional_int)
    due_date = DateField(
        "Batas waktu", format="%Y-%m-%d", validators=[DataRequired("Tanggal tidak sah.")], render_kw={"type": "date"}
    )

    def validate_conclusion(self, field):
        """Kept short: it is a copy of one line of the conclusions."""
        if field.data and len(field.data) > 4000:
            raise ValidationError("Kesimpulan terlalu panjang.")


class FollowUpStatusForm(VersionedForm):
    """Status and evidence of a follow-up."""

    status = SelectField("Status", choices=options(FollowUpStatus.choices()))
    evidence = TextAreaField("Bukti/keterangan", validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})


class FollowUpFilterForm(BaseForm):
    """Filters of the follow-up list (GET, no CSRF)."""

    class Meta:
        csrf = False

    wilayah = SelectField("Wilayah", coerce=optional_int, default="")
    status = SelectField("Status", default="", choices=options([("", "Semua")] + FollowUpStatus.choices()))
    terlambat = SelectField("Batas waktu", default="", choices=options([("", "Semua"), ("ya", "Lewat batas waktu")]))
