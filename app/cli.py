"""Command-line tools: `flask init-db`, `flask seed-demo`, `flask users create`, `flask regions import`."""

import getpass
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import audit, clock, demo, mail
from .audit import Actor
from .auth import services as account_services
from .auth.models import Role, User
from .auth.services import AccountError, UserData
from .backup import BackupError, make_backup, restore_backup
from .dbcopy import db_copy_command
from .extensions import db
from .maps.services import import_boundaries, load_built_in_boundaries
from .notifications.reminders import send_deadline_reminders
from .regions.models import Region
from .regions.services import ImportResult, import_regions_csv, load_built_in
from .reports.seed import load_issue_categories
from .scoring.seed import load_definitions
from .surveys.services import load_examples
from .synthetic.cli import demo_cli

DEMO_USERS = (
    ("admin", "Administrator Sistem", Role.ADMIN, None, "Administrator"),
    ("analis.kalsel", "Rina Mardiana", Role.PROVINSI, "63", "Analis Kewaspadaan Nasional"),
    ("operator.balangan", "Ahmad Fauzi", Role.OPERATOR, "63.11", "Operator PUSKOMIN"),
    ("fasilitator.balangan", "Siti Rahmah", Role.FASILITATOR, "63.11", "Fasilitator Tim Kewaspadaan Dini"),
    ("pimpinan.kalsel", "Drs. H. Bambang Wijaya", Role.PIMPINAN, "63", "Kepala Badan Kesbangpol"),
)

users_cli = AppGroup("users", help="Kelola akun pengguna.")
regions_cli = AppGroup("regions", help="Kelola data wilayah.")


def _cli_actor() -> None:
    """Attribute the command's changes to the person at the terminal."""
    audit.set_actor(db.session, Actor(user_id=None, username=f"cli:{getpass.getuser()}"[:40], via="cli"))


def _report(result: ImportResult) -> None:
    """Print an import summary and its refused rows."""
    click.echo(f"Wilayah: {result.created} baru, {result.updated} diperbarui, {result.unchanged} tetap.")
    for line, message in result.errors:
        click.echo(f"  baris {line}: {message}", err=True)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Bring the database schema up to date and load the built-in regions."""
    upgrade()
    _cli_actor()
    result = load_built_in(db.session)
    categories = load_issue_categories(db.session)
    examples = load_examples(db.session, clock.utcnow())
    indices = load_definitions(db.session)
    boundaries = load_built_in_boundaries(db.session)
    db.session.commit()
    _report(result)
    if categories:
        click.echo(f"Kategori isu: {categories} baru.")
    if examples:
        click.echo(f"Templat kuesioner contoh: {examples} baru.")
    if indices:
        click.echo(f"Definisi indeks: {indices} baru.")
    if boundaries:
        click.echo(f"Batas wilayah untuk peta: {boundaries} baru.")
    click.echo("Basis data siap.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Hanya jika belum ada pengguna sama sekali.")
@click.option("--force", is_flag=True, help="Izinkan juga dalam mode produksi.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 365), help="Hari laporan demo.")
def seed_demo_command(if_empty: bool, force: bool, days: int):
    """Create the demo accounts (one per role) and print their logins."""
    if current_app.config["MODE"] == "production" and not force:
        raise click.ClickException("Data demo tidak dibuat dalam mode produksi (pakai --force bila sengaja).")
    has_users = db.session.scalar(select(func.count()).select_from(User)) > 0
    if not (if_empty and has_users):
        _cli_actor()
        for username, name, role, code, jabatan in DEMO_USERS:
            if account_services.find_by_username(db.session, username):
                continue
            region = db.session.scalars(select(Region).where(Region.code == code)).first() if code else None
            data = UserData(full_name=name, role=role, region_id=region.id if region else None, jabatan=jabatan)
            account_services.create_user(db.session, username, data, demo.DEMO_PASSWORD, must_change=False)
        demo.seed_offices(db.session)
        made = demo.seed_reports(db.session, days=days)
        meetings = demo.seed_meetings(db.session)
        forms = demo.seed_surveys(db.session)
        demo.settle_notifications(db.session)
        db.session.commit()
        click.echo(
            f"Data demo: {made} laporan harian untuk {days + 1} hari terakhir, {meetings} rapat, "
            f"{forms} formulir kuesioner."
        )
    _print_demo_accounts()


def _print_demo_accounts() -> None:
    """List the demo logins that exist."""
    names = [u[0] for u in DEMO_USERS]
    present = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    if not present:
        return
    click.echo(f"Akun demo (kata sandi: {demo.DEMO_PASSWORD}):")
    for username in names:
        if username in present:
            user = present[username]
            where = user.region.name if user.region else "nasional"
            click.echo(f"  {username:<22} {user.role.label:<18} {where}")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Nama lengkap.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="Peran.")
@click.option("--region", "region_code", default=None, help="Kode wilayah, mis. 63 atau 63.11.")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari stdin (untuk skrip).")
def create_user_command(username: str, full_name: str, role: str, region_code: str | None, password_stdin: bool):
    """Create an account (the first administrator of a new install, say)."""
    region_id = None
    if region_code:
        region = db.session.scalars(select(Region).where(Region.code == region_code)).first()
        if region is None:
            raise click.ClickException(f"Wilayah {region_code} tidak dikenal.")
        region_id = region.id
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
    _cli_actor()
    try:
        user = account_services.create_user(
            db.session,
            username,
            UserData(full_name=full_name, role=Role(role), region_id=region_id),
            password,
            must_change=False,
        )
    except AccountError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"Akun {user.username} ({user.role.label}) dibuat.")


@regions_cli.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Periksa saja, jangan simpan.")
def import_regions_command(path, dry_run: bool):
    """Load regions from a CSV file (kode,nama[,jenis][,zona_waktu][,penduduk])."""
    _cli_actor()
    result = import_regions_csv(db.session, path.read())
    if dry_run:
        db.session.rollback()
        click.echo("(uji coba: tidak ada yang disimpan)")
    else:
        db.session.commit()
    _report(result)
    if result.errors:
        sys.exit(1)


@regions_cli.command("import-boundaries")
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@click.option("--source", default="", help="Asal data (disimpan bersama batas wilayah).")
@click.option("--dry-run", is_flag=True, help="Periksa saja, jangan simpan.")
def import_boundaries_command(path, source: str, dry_run: bool):
    """Load region outlines for the maps from a GeoJSON FeatureCollection (properties.kode per feature)."""
    _cli_actor()
    stored, _, errors = import_boundaries(db.session, path.read(), source or path.name)
    if dry_run:
        db.session.rollback()
        click.echo("(uji coba: tidak ada yang disimpan)")
    else:
        db.session.commit()
    click.echo(f"Batas wilayah: {stored} disimpan, {len(errors)} ditolak.")
    for number, message in errors:
        click.echo(f"  fitur {number}: {message}", err=True)
    if errors:
        sys.exit(1)


notify_cli = AppGroup("notify", help="Pengingat dan notifikasi terjadwal (untuk cron).")


@notify_cli.command("deadlines")
def notify_deadlines_command():
    """Remind regencies without today's report, send each province its summary, flag overdue follow-ups."""
    _cli_actor()
    result = send_deadline_reminders(db.session, clock.utcnow())
    db.session.commit()
    mail.wait()
    click.echo(
        f"Pengingat laporan: {result.reminders} (kab/kota belum lapor: {result.missing_regencies}); "
        f"ringkasan provinsi: {result.summaries}; tindak lanjut lewat batas: {result.overdue}."
    )


@click.command("backup")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False), help="Folder cadangan (bawaan: instance/backups)."
)
@click.option(
    "--keep", type=click.IntRange(1, 3650), default=None, help="Simpan sebanyak ini saja; yang tertua dihapus."
)
@with_appcontext
def backup_command(directory: str | None, keep: int | None):
    """Write a consistent, checked backup of the database (safe while the app runs)."""
    started = clock.utcnow()
    target = Path(directory) if directory else Path(current_app.instance_path) / "backups"
    try:
        result = make_backup(db.engine.url.render_as_string(hide_password=False), target, started, keep)
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    seconds = (clock.utcnow() - started).total_seconds()
    click.echo(f"Cadangan: {result.path} ({result.size / 1_000_000:.1f} MB, {seconds:.1f} detik).")
    for path in result.removed:
        click.echo(f"  dihapus (rotasi): {path.name}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Saya sudah menghentikan aplikasi dan ingin mengganti basis data.")
@with_appcontext
def restore_command(path: str, yes: bool):
    """Replace the database with a backup (stop the app first)."""
    if not yes:
        raise click.ClickException("Hentikan aplikasi dulu, lalu jalankan lagi dengan --yes.")
    url = db.engine.url.render_as_string(hide_password=False)
    db.session.remove()
    db.engine.dispose()
    try:
        restore_backup(url, Path(path))
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"Basis data dipulihkan dari {path}. Jalankan `flask init-db` bila cadangan dari versi lama.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(regions_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(db_copy_command)
