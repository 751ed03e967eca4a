"""Forms for log-in, password change and user administration."""

from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from ..forms import BaseForm, optional_int, options
from .models import ROLE_LABELS, Role

REQUIRED = "Wajib diisi."


class LoginForm(BaseForm):
    """User name and password."""

    username = StringField(
        "Nama pengguna",
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"autocomplete": "username", "autofocus": True, "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Kata sandi",
        validators=[DataRequired(REQUIRED), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    """One's own password change."""

    current_password = PasswordField(
        "Kata sandi saat ini",
        validators=[DataRequired(REQUIRED), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "Kata sandi baru",
        validators=[DataRequired(REQUIRED), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[DataRequired(REQUIRED), EqualTo("new_password", "Kedua kata sandi baru tidak sama.")],
        render_kw={"autocomplete": "new-password"},
    )


def region_choices(regions) -> list[SelectChoice]:
    """Region options: national (empty) first, then one group per province with its kabupaten/kota."""
    choices = [SelectChoice("", "— Nasional (tanpa wilayah) —")]
    group = None
    for region in regions:
        if region.is_province:
            group = f"{region.name} ({region.code})"
            label = f"{region.code} · Provinsi {region.name}"
        else:
            label = f"{region.code} · {region.name}"
        choices.append(SelectChoice(str(region.id), label, optgroup=group))
    return choices


class UserForm(BaseForm):
    """An account's profile, role and region, as the administrator edits them."""

    full_name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=120)])
    nip = StringField(
        "NIP",
        validators=[Optional(), Regexp(r"^\d{18}$", message="NIP terdiri dari 18 angka.")],
        filters=[lambda v: v.replace(" ", "") if v else v],
    )
    jabatan = StringField("Jabatan", validators=[Optional(), Length(max=120)])
    phone = StringField(
        "No. HP",
        validators=[Optional(), Regexp(r"^\+?[0-9 -]{8,20}$", message="Nomor HP 8–20 angka, boleh diawali +.")],
    )
    email = StringField("Surel", validators=[Optional(), Length(max=120), Email("Alamat surel tidak sah.")])
    role = SelectField("Peran", choices=options((r.value, ROLE_LABELS[r]) for r in Role))
    region_id = SelectField("Wilayah", coerce=optional_int, validate_choice=False)
    version = HiddenField()

    def validate_region_id(self, field):
        """The chosen region must be one of the offered options."""
        allowed = {choice.value for choice in field.choices}
        if ("" if field.data is None else str(field.data)) not in allowed:
            raise ValidationError("Pilih wilayah dari daftar.")

    def validate_version(self, field):
        """The version is a whole number when present."""
        if field.data and not field.data.isdigit():
            raise ValidationError("Versi formulir tidak sah; muat ulang halaman.")


class NewUserForm(UserForm):
    """A new account: the profile plus a user name and a first password."""

    username = StringField("Nama pengguna", validators=[DataRequired(REQUIRED), Length(min=3, max=40)])
    password = PasswordField(
        "Kata sandi awal",
        render_kw={"autocomplete": "new-password"},
        description=(
            "Kosongkan agar sistem membuat kata sandi sementara. Pengguna wajib menggantinya saat pertama masuk."
        ),
        validators=[Optional(), Length(max=256)],
    )


class ResetPasswordForm(BaseForm):
    """Administrator's password reset: a given temporary password, or a generated one."""

    password = PasswordField(
        "Kata sandi sementara",
        description="Kosongkan agar sistem membuat kata sandi sementara.",
        validators=[Optional(), Length(max=256)],
    )


class UserFilterForm(BaseForm):
    """Filters of the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Cari", validators=[Optional(), Length(max=80)])
    role = SelectField(
        "Peran", default="", choices=options([("", "Semua peran")] + [(r.value, ROLE_LABELS[r]) for r in Role])
    )
    status = SelectField(
        "Status", default="", choices=options([("", "Semua"), ("aktif", "Aktif"), ("nonaktif", "Nonaktif")])
    )


class ConfirmForm(BaseForm):
    """An empty form: a CSRF-protected button (activate, deactivate, log out)."""

    confirm = BooleanField(default=True)
