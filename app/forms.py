"""The base of every form: WTForms' built-in messages in Indonesian.

WTForms ships no Indonesian catalogue, so its messages are translated here; forms
still give their own wording where a field needs a more specific hint.
"""

from dataclasses import dataclass

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import FloatField, SelectChoice, SelectField, SelectMultipleField, widgets
from wtforms.validators import ValidationError

MESSAGES = {
    "Invalid field name '%s'.": "Nama kolom '%s' tidak sah.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Isian minimal %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Isian minimal %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Isian maksimal %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Isian maksimal %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Isian harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Isian harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": "Isian harus %(min)d sampai %(max)d karakter.",
    "Number must be at least %(min)s.": "Angka minimal %(min)s.",
    "Number must be at most %(max)s.": "Angka maksimal %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "Date must be at least %(min)s.": "Tanggal paling awal %(min)s.",
    "Date must be at most %(max)s.": "Tanggal paling akhir %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Tanggal harus antara %(min)s dan %(max)s.",
    "This field is required.": "Wajib diisi.",
    "Invalid input.": "Isian tidak sah.",
    "Invalid email address.": "Alamat surel tidak sah.",
    "Invalid IP address.": "Alamat IP tidak sah.",
    "Invalid Mac address.": "Alamat MAC tidak sah.",
    "Invalid URL.": "Alamat URL tidak sah.",
    "Invalid UUID.": "UUID tidak sah.",
    "Invalid value, must be one of: %(values)s.": "Nilai tidak sah; pilih salah satu: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Nilai tidak sah; tidak boleh: %(values)s.",
    "This field cannot be edited.": "Isian ini tidak dapat diubah.",
    "This field is disabled and cannot have a value.": "Isian ini nonaktif dan tidak boleh diisi.",
    "Invalid CSRF Token.": "Token formulir tidak sah. Muat ulang halaman.",
    "CSRF token missing.": "Token formulir tidak ada. Muat ulang halaman.",
    "CSRF failed.": "Pemeriksaan formulir gagal. Muat ulang halaman.",
    "CSRF token expired.": "Formulir kedaluwarsa. Muat ulang halaman.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Choices cannot be None.": "Pilihan belum tersedia.",
    "Not a valid choice.": "Pilihan tidak sah.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Ada pilihan yang tidak sah.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang sah.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' bukan pilihan yang sah.",
    "Not a valid datetime value.": "Tanggal dan jam tidak sah.",
    "Not a valid date value.": "Tanggal tidak sah.",
    "Not a valid time value.": "Jam tidak sah.",
    "Not a valid week value.": "Minggu tidak sah.",
    "Not a valid integer value.": "Harus bilangan bulat.",
    "Not a valid decimal value.": "Harus angka.",
    "Not a valid float value.": "Harus angka.",
}


class IndonesianMessages:
    """A gettext-shaped object WTForms asks for its messages."""

    def gettext(self, string: str) -> str:
        """The Indonesian message, or the original if we have none."""
        return MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural-aware look-up (Indonesian has one form)."""
        return self.gettext(singular if n == 1 else plural)


INDONESIAN = IndonesianMessages()


class BaseForm(FlaskForm):
    """Every form of the app: CSRF from Flask-WTF, messages in Indonesian."""

    class Meta:
        def get_translations(self, form):
            """Our translations instead of WTForms' (which has no Indonesian)."""
            return INDONESIAN


# html_params sorts the attributes: selected before value.
OPTION = Markup('<option value="%s">%s</option>')
OPTGROUP = Markup('<optgroup label="%s">')
OPTGROUP_END = Markup("</optgroup>")
OPTION_START = Markup('<option value="%s">')
SELECTED_OPTION_START = Markup('<option selected value="%s">')
SELECT = Markup("<select %s>%s</select>")


@dataclass(frozen=True)
class PreparedChoices:
    """The options of a large select that changes rarely (an administrator's 586 regions), worked out once.

    For each request WTForms coerces every option to find the selected one, once to validate and again to
    render, and writes each option: for 586 regions that was most of the search page's time. Built once per
    set of options (callers cache it), the check is a set look-up and the HTML is joined once.
    """

    choices: list[SelectChoice]
    values: frozenset  # the coerced values a submission may take
    raw_values: dict  # coerced value → the option's value as written
    options_html: Markup  # every <option> and <optgroup>, none selected

    @classmethod
    def of(cls, choices: list[SelectChoice], coerce=str) -> "PreparedChoices":
        """Prepare `choices` (plain string values and labels, grouped by consecutive optgroup)."""
        html, group = [], None
        for choice in choices:
            if choice.optgroup != group:
                if group is not None:
                    html.append(OPTGROUP_END)
                if choice.optgroup is not None:
                    html.append(OPTGROUP % choice.optgroup)
                group = choice.optgroup
            html.append(OPTION % (choice.value, choice.label or choice.value))
        if group is not None:
            html.append(OPTGROUP_END)
        raw = {coerce(choice.value): choice.value for choice in choices}
        return cls(list(choices), frozenset(raw), raw, Markup("").join(html))

    def marked(self, data) -> Markup:
        """The options with the one whose coerced value is `data` selected (as WTForms marks it)."""
        if data not in self.raw_values:
            return self.options_html
        value = self.raw_values[data]
        return self.options_html.replace(OPTION_START % value, SELECTED_OPTION_START % value)


class PreparedSelect(widgets.Select):
    """Writes a PreparedSelectField from its prepared options: the same HTML as WTForms' select."""

    def __call__(self, field, **kwargs):
        """`<select …>` with the prepared options, the field's value selected."""
        if field.prepared is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        params = widgets.html_params(name=field.name, **kwargs)  # Markup, its values escaped
        return SELECT % (params, field.prepared.marked(field.data))


class PreparedSelectField(SelectField):
    """A SelectField whose many options come as PreparedChoices: validated by a set look-up, written at once."""

    widget = PreparedSelect()
    prepared: PreparedChoices | None = None

    def prepare(self, prepared: PreparedChoices) -> None:
        """Offer the prepared options."""
        self.prepared = prepared
        self.choices = prepared.choices

    def pre_validate(self, form):
        """The value must be one of the options (WTForms' check, without coercing every option)."""
        if self.prepared is None:
            return super().pre_validate(form)
        if not self.process_errors and self.data not in self.prepared.values:
            raise ValidationError(self.invalid_choice_message or self.gettext("Not a valid choice."))


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


# The largest id a database row can have (SQLite INTEGER, PostgreSQL bigint): a larger number given as an
# id makes SQLite raise OverflowError (a 500) instead of finding nothing.
MAX_ID = 2**63 - 1


def id_value(text: str | None) -> int | None:
    """A row id written in digits, or None for anything else (letters, signs, numbers past MAX_ID)."""
    if not text or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


def optional_int(value):
    """'' → None, digits → int; anything else stays as it is and fails the choice check."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class CommaFloatField(FloatField):
    """A number that also accepts the Indonesian decimal comma (-2,3178)."""

    def process_formdata(self, valuelist):
        """Read '1,5' as 1.5."""
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
