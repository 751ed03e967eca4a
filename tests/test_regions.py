"""Regions: the built-in tree, the CSV import (service and command) and the region pages."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.regions.models import Region, RegionKind
from app.regions.services import import_regions_csv, infer_kind, load_built_in, subtree_condition

from .conftest import login


def _region(code):
    return db.session.scalars(select(Region).where(Region.code == code)).one()


def test_built_in_regions_are_complete(app):
    with app.app_context():
        kalteng, kalsel = _region("62"), _region("63")
        assert kalteng.name == "Kalimantan Tengah" and kalteng.zone_label == "WIB"
        assert kalsel.name == "Kalimantan Selatan" and kalsel.zone_label == "WITA"
        assert [r.code for r in kalteng.children] == [f"62.{n:02d}" for n in range(1, 14)] + ["62.71"]
        assert [r.code for r in kalsel.children] == [f"63.{n:02d}" for n in range(1, 12)] + ["63.71", "63.72"]
        balangan = _region("63.11")
        assert balangan.name == "Kab. Balangan" and balangan.timezone == "Asia/Makassar"
        assert [k.name for k in balangan.children] == [
            "Juai",
            "Halong",
            "Awayan",
            "Batu Mandi",
            "Lampihong",
            "Paringin",
            "Paringin Selatan",
            "Tebing Tinggi",
        ]
        assert _region("62.71").kind == RegionKind.KOTA and _region("63.72").name == "Kota Banjarbaru"


def test_loading_the_built_in_regions_twice_changes_nothing(app):
    with app.app_context():
        result = load_built_in(db.session)
        assert (result.created, result.updated, result.errors) == (0, 0, [])
        assert result.unchanged == 37


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("11", RegionKind.PROVINSI),
        ("11.01", RegionKind.KABUPATEN),
        ("11.71", RegionKind.KOTA),
        ("11.01.02", RegionKind.KECAMATAN),
    ],
)
def test_kind_is_inferred_from_the_code(code, kind):
    assert infer_kind(code) == kind


def test_subtree_condition_takes_a_region_and_everything_below(app):
    with app.app_context():
        codes = db.session.scalars(select(Region.code).where(subtree_condition("63.11")).order_by(Region.code)).all()
        assert codes[0] == "63.11" and len(codes) == 9
        whole = db.session.scalar(select(func.count()).where(subtree_condition("63")))
        assert whole == 1 + 13 + 8
        assert "63.1" not in db.session.scalars(select(Region.code).where(subtree_condition("63.1"))).all()


CSV = """kode,nama,jenis,zona_waktu,penduduk
64,Kalimantan Timur,provinsi,Asia/Makassar,3859783
64.72,Kota Samarinda,,,
64.01,Kab. Paser,kabupaten,,
64.01.01,Batu Sopang,,,
65,Kalimantan Utara,,,
99.01,Tanpa Induk,,,
64.02,Kab. Salah Jenis,kota,,
6a,Kode Rusak,,,
64.03,Kab. Zona Aneh,,Mars/Olympus,
64.04,,,,
63.11,Kab. Balangan,,,130355
"""


def test_import_keeps_good_rows_and_reports_each_bad_one(app):
    with app.app_context():
        result = import_regions_csv(db.session, CSV)
        db.session.commit()
        assert (result.created, result.updated) == (4, 1)
        lines = dict(result.errors)
        assert set(lines) == {6, 7, 8, 9, 10, 11}
        assert "Zona waktu provinsi 65 wajib diisi" in lines[6]
        assert "Induk wilayah 99 belum ada" in lines[7]
        assert "tidak cocok" in lines[8]
        assert "tidak sah" in lines[9]
        assert "Mars/Olympus" in lines[10]
        assert "kosong" in lines[11]
        samarinda = _region("64.72")
        assert samarinda.kind == RegionKind.KOTA and samarinda.timezone == "Asia/Makassar"
        assert samarinda.parent.code == "64"
        assert _region("64.01.01").parent.code == "64.01"
        assert _region("63.11").population == 130355
        assert _region("64").population == 3859783


def test_import_needs_a_header(app):
    with app.app_context():
        result = import_regions_csv(db.session, "11,Aceh\n")
        assert result.errors and "kode" in result.errors[0][1]


def test_cli_import_and_dry_run(app, runner, tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text(
        "kode,nama,zona_waktu\n64,Kalimantan Timur,Asia/Makassar\n64.71,Kota Balikpapan,\n", encoding="utf-8"
    )
    result = runner.invoke(args=["regions", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "2 baru" in result.output and "uji coba" in result.output
    with app.app_context():
        assert db.session.scalars(select(Region).where(Region.code == "64")).first() is None
    result = runner.invoke(args=["regions", "import", str(path)])
    assert result.exit_code == 0
    with app.app_context():
        assert _region("64.71").name == "Kota Balikpapan"


def test_cli_import_exits_non_zero_on_bad_rows(runner, tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n77.01,Tanpa Induk\n", encoding="utf-8")
    result = runner.invoke(args=["regions", "import", str(path)])
    assert result.exit_code == 1 and "baris 2" in result.output


def test_region_pages(app, users):
    client = app.test_client()
    login(client, "analis")
    index = client.get("/wilayah/").get_data(as_text=True)
    assert "Kalimantan Selatan" in index and "Kalimantan Tengah" not in index  # scoped to the province
    detail = client.get("/wilayah/63.11").get_data(as_text=True)
    assert "Paringin Selatan" in detail and "WITA" in detail and "Operator Balangan" in detail
    admin = app.test_client()
    login(admin, "admin")
    index = admin.get("/wilayah/").get_data(as_text=True)
    assert "Kalimantan Selatan" in index and "Kalimantan Tengah" in index
