"""`flask demo generate`: the national synthetic data set for benchmarks and demos."""

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .. import audit, clock
from ..audit import Actor
from ..demo import DEMO_PASSWORD
from ..extensions import db
from ..maps.services import load_built_in_boundaries
from ..regions.services import load_built_in
from ..reports.seed import load_issue_categories
from ..scoring.seed import load_definitions
from ..surveys.services import load_examples
from .generate import GenerateError, Result, generate, occupied_tables
from .vocabulary import VocabularyMissing
from .world import Plan

demo_cli = AppGroup("demo", help="Data demo dan data sintetis.")
LOGINS = (
    ("admin", "Administrator, nasional"),
    ("analis.kalsel, analis.kalteng", "Analis provinsi (Kalsel, Kalteng)"),
    ("analis.NN, analis2.NN", "Analis provinsi lain, mis. analis.32"),
    ("pimpinan.kalsel, pimpinan.NN", "Pimpinan provinsi"),
    ("operator.balangan, operator.tapin …", "Operator Kalsel/Kalteng (nama demo)"),
    ("operator.NNNN, fasilitator.NNNN", "Operator/fasilitator kab/kota lain, mis. operator.3204"),
)


def _fresh_sqlite_file() -> None:
    """Delete the SQLite database (and its WAL) so the set goes into a new file."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("--force hanya untuk berkas SQLite; kosongkan basis data PostgreSQL sendiri.")
    db.session.remove()
    db.engine.dispose()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{url.database}{suffix}").unlink(missing_ok=True)


def _prepare() -> None:
    """Migrate and load the built-in reference data, as `flask init-db` does."""
    upgrade()
    load_built_in(db.session)
    load_issue_categories(db.session)
    load_examples(db.session, clock.utcnow())
    load_definitions(db.session)
    load_built_in_boundaries(db.session)
    db.session.commit()


def _print(result: Result, plan: Plan) -> None:
    """Rows per table, time per part, the total and the size."""
    click.echo(f"Data sintetis (seed {plan.seed}, skala {plan.scale:g}, {plan.days} hari):")
    for name, count in result.counts.items():
        click.echo(f"  {name:<18} {count:>12,}".replace(",", "."))
    for name, seconds in result.phases:
        click.echo(f"  waktu {name:<20} {seconds:8.1f} detik")
    click.echo(f"Selesai dalam {result.seconds:.1f} detik; ukuran basis data {result.size / 1_000_000:,.1f} MB.")
    click.echo(f"Akun (kata sandi semua: {DEMO_PASSWORD}):")
    for names, what in LOGINS:
        click.echo(f"  {names:<38} {what}")


@demo_cli.command("generate")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.001, 4.0),
    help="Panjang riwayat: tahun × skala (wilayah dan akun selalu nasional).",
)
@click.option("--seed", default=2024, show_default=True, type=int, help="Benih acak (sama → data sama).")
@click.option("--years", default=5.0, show_default=True, type=click.FloatRange(0.01, 20), help="Tahun riwayat.")
@click.option("--provinces", default="", help="Hanya provinsi ini yang berisi kegiatan, mis. 62,63 (bawaan: semua).")
@click.option("--force", is_flag=True, help="Hapus berkas SQLite yang sudah berisi dan mulai dari berkas baru.")
def generate_command(scale: float, seed: int, years: float, provinces: str, force: bool):
    """Generate a national synthetic data set (38 provinces, 514 kab/kota, years of daily work)."""
    if current_app.config["MODE"] == "production":
        raise click.ClickException("Data sintetis tidak dibuat dalam mode produksi (pakai WASPADA_MODE=development).")
    _prepare()
    occupied = occupied_tables(db.session)
    if occupied and not force:
        raise click.ClickException(
            f"Basis data sudah berisi data ({', '.join(occupied)}); pakai --force untuk berkas SQLite baru."
        )
    if occupied:
        _fresh_sqlite_file()
        _prepare()
    audit.set_actor(db.session, Actor(user_id=None, username=f"cli:{getpass.getuser()}"[:40], via="cli"))
    now = clock.utcnow().replace(tzinfo=None, microsecond=0)
    chosen = tuple(code.strip() for code in provinces.split(",") if code.strip())
    plan = Plan(seed=seed, scale=scale, years=years, now=now, provinces=chosen)
    try:
        result = generate(db.session, plan)
    except (GenerateError, VocabularyMissing) as err:
        raise click.ClickException(str(err)) from err
    _print(result, plan)
