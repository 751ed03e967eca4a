"""The issue-category form."""

from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import BaseForm


class CategoryForm(BaseForm):
    """Name, order and whether operators may still choose it."""

    name = StringField("Nama kategori", validators=[DataRequired("Wajib diisi."), Length(max=120)])
    position = IntegerField("Urutan", validators=[Optional(), NumberRange(0, 9999)])
    active = BooleanField("Aktif", default=True)
