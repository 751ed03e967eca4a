"""Administrators keep the list of issue categories (deactivate instead of delete: items refer to them)."""

import re

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import func, select

from .. import htmx
from ..access import permission_required
from ..extensions import db
from .category_forms import CategoryForm
from .models import IssueCategory

bp = Blueprint("categories", __name__, url_prefix="/laporan/kategori")


def _all() -> list[IssueCategory]:
    """Every category in display order."""
    return list(db.session.scalars(select(IssueCategory).order_by(IssueCategory.position, IssueCategory.name)))


def _code_for(name: str) -> str:
    """A unique code from a name: 'Konflik Agraria' → 'konflik-agraria' (-2, -3 … when taken)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:36] or "kategori"
    code, n = base, 1
    while db.session.scalar(select(func.count()).where(IssueCategory.code == code)):
        n += 1
        code = f"{base}-{n}"
    return code


@bp.get("/")
@permission_required("categories.manage")
def index():
    """The list, each row editable in place, and a form to add one."""
    return render_template(
        "reports/categories.html", categories=_all(), new_form=CategoryForm(formdata=None), row_forms={}
    )


@bp.post("/")
@permission_required("categories.manage")
def create():
    """Add a category at the end of the list."""
    form = CategoryForm()
    if not form.validate_on_submit():
        return render_template("reports/categories.html", categories=_all(), new_form=form, row_forms={}), 422
    last = db.session.scalar(select(func.coalesce(func.max(IssueCategory.position), 0)))
    db.session.add(
        IssueCategory(
            code=_code_for(form.name.data),
            name=form.name.data.strip(),
            active=form.active.data,
            position=form.position.data or last + 1,
        )
    )
    db.session.commit()
    flash("Kategori ditambahkan.", "success")
    return redirect(url_for("categories.index"))


@bp.post("/<int:category_id>")
@permission_required("categories.manage")
def update(category_id: int):
    """Rename, reorder or (de)activate a category; htmx gets the row back."""
    category = db.get_or_404(IssueCategory, category_id)
    form = CategoryForm()
    if not form.validate_on_submit():
        if htmx.wants_fragment():
            return render_template("reports/_category_row.html", category=category, form=form), 422
        return render_template(
            "reports/categories.html",
            categories=_all(),
            new_form=CategoryForm(formdata=None),
            row_forms={category.id: form},
        ), 422
    category.name = form.name.data.strip()
    category.active = form.active.data
    category.position = form.position.data if form.position.data is not None else category.position
    db.session.commit()
    if htmx.wants_fragment():
        return render_template("reports/_category_row.html", category=category, form=None, saved=True)
    flash("Kategori tersimpan.", "success")
    return redirect(url_for("categories.index"))
