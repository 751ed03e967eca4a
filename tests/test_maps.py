"""Maps: projection and SVG paths (pure), loading boundaries, each layer's route, the page weight."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.maps import geo
from app.maps.services import BUILT_IN_GEOJSON, import_boundaries, province_map
from app.regions.models import RegionBoundary
from app.reports.models import ThreatLevel

from .conftest import login
from .factories import make_report, region

SQUARE = [[[[110.0, -1.0], [111.0, -1.0], [111.0, 0.0], [110.0, 0.0], [110.0, -1.0]]]]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# ---------------------------------------------------------------- pure projection


def test_a_known_square_becomes_a_known_path():
    # centred on the equator side (lat −0.5): cos ≈ 0.99996, so the square stays square
    projected = geo.project([geo.Outline("1", "Persegi", SQUARE, (110.5, -0.5))], width=100, pad=0)
    (shape,) = projected.shapes
    assert projected.height == 100
    assert shape.path == "M0,100 L100,100 L100,0 L0,0 Z"  # north up: latitude 0 is y 0
    assert (shape.label_x, shape.label_y) == (50, 50)


def test_two_regions_share_one_frame_and_keep_proportions():
    east = [[[[p[0] + 1, p[1]] for p in SQUARE[0][0]]]]
    projected = geo.project([geo.Outline("1", "A", SQUARE), geo.Outline("2", "B", east)], width=208, pad=4)
    first, second = projected.shapes
    assert projected.height == 108  # 2° wide, 1° tall → 200 × 100 inside the padding
    assert first.path.startswith("M4,104") and second.path.startswith("M104,104")
    assert (first.label_x, first.label_y) == (54, 54)  # no label point: the middle of the ring


def test_points_closer_than_a_pixel_are_dropped_and_tiny_rings_vanish():
    assert geo.ring_path([(0, 0), (0.3, 0), (10, 0), (10, 10), (0, 0)]) == "M0,0 L10,0 L10,10 Z"
    assert geo.ring_path([(0, 0), (0.2, 0.2), (0.4, 0), (0, 0)]) == ""


def _outlines(code_prefix):
    data = json.loads(Path(BUILT_IN_GEOJSON).read_text(encoding="utf-8"))
    return [
        geo.Outline(
            f["properties"]["kode"],
            f["properties"]["nama"],
            f["geometry"]["coordinates"],
            (f["properties"]["label_lng"], f["properties"]["label_lat"]),
        )
        for f in data["features"]
        if f["properties"]["provinsi"] == code_prefix
    ]


@pytest.mark.parametrize(("province", "count"), [("62", 14), ("63", 13)])
def test_every_built_in_regency_draws_inside_the_view_box(province, count):
    projected = geo.project(_outlines(province), width=600)
    assert len(projected.shapes) == count
    total = 0
    for shape in projected.shapes:
        assert shape.path.startswith("M") and shape.path.endswith("Z"), shape.code
        numbers = [float(n) for n in NUMBER.findall(shape.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert 0 <= min(xs) and max(xs) <= projected.width, shape.code
        assert 0 <= min(ys) and max(ys) <= projected.height, shape.code
        assert min(xs) <= shape.label_x <= max(xs) and min(ys) <= shape.label_y <= max(ys), shape.code
        total += len(shape.path)
    assert total < 40_000  # a few KB per regency at most


def test_layers_colour_by_their_legend():
    situation = geo.situation_layer(["Kondusif", "Waspada", "Siaga", "Awas"], {"a": 3, "b": None, "c": 9})
    assert situation.value_for("a") == ("map-sit-3", "Siaga")
    assert situation.value_for("b") == situation.value_for("c") == ("map-none", "belum lapor / tanpa situasi")
    assert situation.value_for("x") == ("map-none", "tidak ada data")
    reports = geo.report_layer({"a": "tepat", "b": "tidak"})
    assert reports.value_for("b") == ("map-state-tidak", "Tidak lapor")
    incidents = geo.incident_layer(7, {"a": 0, "b": 2, "c": 5, "d": 40})
    assert [incidents.value_for(k)[0] for k in "abcd"] == ["map-inc-0", "map-inc-1", "map-inc-2", "map-inc-3"]
    bands = geo.band_layer("IKP", [(0, "rendah"), (1, "sedang"), (2, "tinggi")], {"a": (2, "tinggi"), "b": (None, "x")})
    assert bands.value_for("a")[0] == "map-sev-2" and bands.value_for("b")[0] == "map-none"
    for layer in (situation, reports, incidents, bands):
        legend = {entry.css for entry in layer.legend}
        assert {css for css, _ in layer.values.values()} <= legend, layer.key


def test_layer_classes_have_colours_in_the_stylesheet():
    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text()
    layers = [
        geo.situation_layer(["1", "2", "3", "4"], {}),
        geo.report_layer({}),
        geo.incident_layer(30, {}),
        geo.band_layer("x", [(0, "a"), (1, "b"), (2, "c")], {}),
    ]
    for layer in layers:
        for entry in layer.legend:
            assert re.search(rf"\.{entry.css} {{ fill: #[0-9a-f]{{6}}", css), entry.css


def test_geo_is_pure():
    source = (Path(__file__).resolve().parents[1] / "app" / "maps" / "geo.py").read_text()
    imports = set(re.findall(r"^(?:from|import) ([\w.]+)", source, re.M))
    assert imports <= {"math", "collections.abc", "dataclasses"}, imports


# ---------------------------------------------------------------- loading boundaries


def test_built_in_boundaries_are_loaded_and_cached(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegionBoundary)) == 27
        first = province_map(db.session, region("63"))
        assert province_map(db.session, region("63")) is first  # projected once
        assert len(first.projected.shapes) == 13 and first.region_ids["63.11"] == region("63.11").id


def test_import_keeps_good_features_and_names_bad_ones(app):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kode": "63.11"},
                "geometry": {"type": "Polygon", "coordinates": SQUARE[0]},
            },
            {
                "type": "Feature",
                "properties": {"kode": "99.99"},
                "geometry": {"type": "Polygon", "coordinates": SQUARE[0]},
            },
            {"type": "Feature", "properties": {"kode": "63.01"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {
                "type": "Feature",
                "properties": {"kode": "63.02"},
                "geometry": {"type": "Polygon", "coordinates": [[[500, 1], [1, 1], [1, 2], [500, 1]]]},
            },
        ],
    }
    with app.app_context():
        stored, unchanged, errors = import_boundaries(db.session, json.dumps(collection), "uji")
        db.session.commit()
        assert (stored, unchanged) == (1, 0)
        assert [n for n, _ in errors] == [2, 3, 4]
        assert "tidak dikenal" in errors[0][1] and "Polygon/MultiPolygon" in errors[1][1]
        balangan = db.session.get(RegionBoundary, region("63.11").id)
        assert balangan.polygons == SQUARE and balangan.source == "uji"
        assert import_boundaries(db.session, "{bukan json", "x")[2][0][1].startswith("Bukan JSON")
        assert import_boundaries(db.session, '{"type": "Feature"}', "x")[2] == [
            (0, "Berkas harus GeoJSON FeatureCollection.")
        ]


def test_cli_imports_boundaries(app, tmp_path):
    path = tmp_path / "batas.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode": "63.72"},
                        "geometry": {"type": "MultiPolygon", "coordinates": SQUARE},
                    },
                    {"type": "Feature", "properties": {"kode": "00"}, "geometry": None},
                ],
            }
        )
    )
    result = app.test_cli_runner().invoke(args=["regions", "import-boundaries", str(path), "--source", "BIG"])
    assert result.exit_code == 1  # one feature refused
    assert "1 disimpan, 1 ditolak" in result.output and "fitur 2" in result.output
    with app.app_context():
        assert db.session.get(RegionBoundary, region("63.72").id).source == "BIG"


# ---------------------------------------------------------------- routes


@pytest.mark.parametrize("layer", ["situasi", "laporan", "peringkat", "kejadian7", "kejadian30"])
def test_each_layer_swaps_only_the_map(app, users, layer, pin_clock):
    pin_clock(10)
    make_report(app, "operator", threat_level=ThreatLevel.TINGGI, submit=True, level=3)
    client = app.test_client()
    login(client, "analis")
    response = client.get(f"/peta/?lapisan={layer}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="peta"') and "<html" not in html
    assert html.count('<path class="region') == 13
    assert f'<option value="{layer}" selected' in html
    balangan = html.split('aria-label="Kab. Balangan: ')[1].split('"')[0]
    expected = {
        "situasi": "Siaga",
        "laporan": "Tepat waktu",
        "peringkat": "data belum cukup",
        "kejadian7": "1 kejadian rawan tinggi",
        "kejadian30": "1 kejadian rawan tinggi",
    }[layer]
    assert balangan == expected
    with app.app_context():
        profile = f"/profil/{region('63.11').id}"
    assert f'<a href="{profile}" aria-label="Kab. Balangan' in html


def test_map_page_and_embedded_maps(app, users):
    client = app.test_client()
    login(client, "analis")
    page = client.get("/peta/")
    assert page.status_code == 200 and len(page.data) < 100_000
    assert client.get("/peta/?lapisan=<x>").status_code == 422
    assert 'id="peta"' in client.get("/").get_data(as_text=True)  # the province home
    board = client.get("/laporan/kepatuhan/").get_data(as_text=True)
    assert 'id="peta"' in board and "Laporan hari ini" in board
    ranking = client.get("/peringkat/")
    assert 'id="peta"' in ranking.get_data(as_text=True) and len(ranking.data) < 100_000
    assert 'id="peta"' in client.get("/laporan/rekap/cetak").get_data(as_text=True)
    assert 'id="peta"' in client.get("/peringkat/cetak").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin")
    kalteng = admin.get("/peta/?provinsi=62")
    assert kalteng.status_code == 200 and kalteng.get_data(as_text=True).count('<path class="region') == 14
    assert len(kalteng.data) < 100_000


def test_regency_roles_see_no_map(app, users):
    client = app.test_client()
    login(client, "operator")
    assert 'id="peta"' not in client.get("/peringkat/").get_data(as_text=True)
    assert client.get("/peta/").status_code == 403


def test_a_province_without_boundaries_shows_no_map(app, users):
    with app.app_context():
        db.session.execute(RegionBoundary.__table__.delete())
        db.session.commit()
    client = app.test_client()
    login(client, "analis")
    assert 'id="peta"' not in client.get("/").get_data(as_text=True)
    page = client.get("/peta/")
    assert page.status_code == 200 and "Belum ada batas wilayah" in page.get_data(as_text=True)
