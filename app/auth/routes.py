"""Views: log-in/out, own password change, and the administrator's user pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select

from .. import htmx
from ..access import permission_required
from ..extensions import db
from ..regions.services import assignable_regions
from ..security import client_ip, is_safe_next
from ..ui import page_arg
from . import services
from .forms import (
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserFilterForm,
    UserForm,
    region_choices,
)
from .models import Role, User
from .services import AccountError, AuthError, UserData

bp = Blueprint("auth", __name__)


def _invalid(template: str, **context):
    """Render a form with its errors: 422, so htmx swaps it and the user keeps what they typed."""
    return render_template(template, **context), 422


def _field_error(form, err: AccountError) -> None:
    """Put a service error on its field, or on the form as a whole."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    """Log in with user name and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (422 if form.errors else 200)
    try:
        user = services.authenticate(db.session, form.username.data, form.password.data, client_ip())
    except AuthError as err:
        db.session.commit()  # the failure count and its audit row must stay
        form.form_errors.append(err.message)
        return _invalid("auth/login.html", form=form)
    db.session.commit()
    session.clear()
    login_user(user)
    session.permanent = True
    target = form.next.data if is_safe_next(form.next.data) else url_for("dashboard.index")
    return redirect(target)


@bp.post("/keluar")
@login_required
def logout():
    """Log out everywhere: the session token is rotated."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.logout(db.session, current_user, client_ip())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@permission_required("account.change_password")
def change_password():
    """Change one's own password (required after a reset)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(db.session, current_user, form.current_password.data, form.new_password.data)
        except AccountError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            db.session.commit()
            login_user(current_user)  # keep this session alive under the new token
            flash("Kata sandi sudah diganti. Sesi di perangkat lain telah diakhiri.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.get("/pengguna")
@permission_required("users.manage")
def users():
    """The list of accounts, filtered; htmx asks for the table only."""
    filters = UserFilterForm(request.args)
    filters.validate()
    stmt = select(User).order_by(User.username)
    if filters.q.data:
        like = f"%{filters.q.data.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like)))
    if filters.role.data in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(filters.role.data))
    if filters.status.data in ("aktif", "nonaktif"):
        stmt = stmt.where(User.active.is_(filters.status.data == "aktif"))
    page = db.paginate(stmt, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)
    template = "auth/_user_table.html" if htmx.wants_fragment() else "auth/users.html"
    return render_template(template, page=page, filters=filters, confirm=ConfirmForm())


def _user_data(form) -> UserData:
    """The profile fields of a submitted user form."""
    return UserData(
        full_name=form.full_name.data,
        role=Role(form.role.data),
        region_id=form.region_id.data,
        nip=form.nip.data,
        jabatan=form.jabatan.data,
        phone=form.phone.data,
        email=form.email.data,
    )


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@permission_required("users.manage")
def user_create():
    """Create an account."""
    form = NewUserForm()
    form.region_id.choices = region_choices(assignable_regions(db.session))
    if form.validate_on_submit():
        password = form.password.data or services.generate_temporary_password()
        try:
            user = services.create_user(db.session, form.username.data, _user_data(form), password)
        except AccountError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            db.session.commit()
            return render_template("auth/password_issued.html", user=user, password=password, created=True)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/user_form.html", form=form, user=None), status


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@permission_required("users.manage")
def user_edit(user_id: int):
    """Edit an account's profile, role and region."""
    user = db.get_or_404(User, user_id)
    form = _edit_form(user, bound=request.method == "POST")
    if form.validate_on_submit():
        if str(user.version) != (form.version.data or ""):
            db.session.rollback()
            form.form_errors.append(
                "Akun ini baru saja diubah oleh orang lain. Periksa data terbaru di bawah, lalu simpan lagi."
            )
            return render_template("auth/user_form.html", form=form, user=user, stale=True), 409
        try:
            services.update_user(db.session, user, _user_data(form), current_user)
        except AccountError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            db.session.commit()
            flash(f"Data {user.username} tersimpan.", "success")
            return redirect(url_for("auth.users"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "auth/user_form.html", form=form, user=user, reset=ResetPasswordForm(), confirm=ConfirmForm()
    ), status


def _edit_form(user: User, bound: bool) -> UserForm:
    """The edit form for `user`: bound to the posted data, or filled from the account."""
    form = UserForm() if bound else UserForm(formdata=None, obj=user, role=user.role.value, version=str(user.version))
    form.region_id.choices = region_choices(assignable_regions(db.session))
    return form


@bp.post("/pengguna/<int:user_id>/status")
@permission_required("users.manage")
def user_set_active(user_id: int):
    """Activate or deactivate an account; htmx gets the re-rendered row."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_active(db.session, user, not user.active, current_user)
    except AccountError as err:
        db.session.rollback()
        if htmx.wants_fragment():
            return render_template("auth/_user_row.html", user=user, confirm=form, row_error=err.message), 422
        flash(err.message, "error")
        return redirect(url_for("auth.users"))
    db.session.commit()
    if htmx.wants_fragment():
        return render_template("auth/_user_row.html", user=user, confirm=form)
    flash(f"Akun {user.username} {'diaktifkan' if user.active else 'dinonaktifkan'}.", "success")
    return redirect(url_for("auth.users"))


@bp.post("/pengguna/<int:user_id>/reset-sandi")
@permission_required("users.manage")
def user_reset_password(user_id: int):
    """Give an account a temporary password, shown once to the administrator."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password = services.reset_password(db.session, user, form.password.data or None)
        except AccountError as err:
            db.session.rollback()
            form.password.errors = [err.message]
        else:
            db.session.commit()
            return render_template("auth/password_issued.html", user=user, password=password, created=False)
    edit = _edit_form(user, bound=False)
    return render_template("auth/user_form.html", form=edit, user=user, reset=form, confirm=ConfirmForm()), 422
