"""`make scan` (quality S9): its positive control stays out of real installs, and its checks can fail.

The scan itself needs sqlmap, bandit and semgrep (`make scan`); these tests need none of them.
"""

import ast
import json
from pathlib import Path

import pytest

from app import create_app
from scan import control, recorder, sqlscan
from scan.findings import Accepted, Finding, load_accepted, matches, normalise, split
from scan.targets import Target

from .conftest import TEST_CONFIG, login

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("mode", ["production", "development", "testing"])
def test_no_app_has_the_injectable_control(tmp_path, mode):
    app = create_app({**TEST_CONFIG, "MODE": mode, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}, str(tmp_path))
    assert control.ENDPOINT not in app.view_functions
    assert not any(rule.rule.startswith("/__pindai") for rule in app.url_map.iter_rules())


def test_the_control_is_refused_in_production(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "MODE": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}, str(tmp_path)
    )
    with pytest.raises(RuntimeError, match="production"):
        control.install(app)
    assert control.ENDPOINT not in app.view_functions


def test_nothing_in_the_app_imports_the_scan():
    for path in [*(ROOT / "app").rglob("*.py"), ROOT / "wsgi.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "scan" or n.startswith("scan.") for n in names), path


def test_the_control_really_is_injectable(app, users):
    """The control of the control: a true and a false condition pasted into its SQL answer differently."""
    control.install(app)
    client = app.test_client()
    login(client, "admin")
    true = client.get(control.PATH, query_string={"id": "1 OR 1=1"}).get_data(as_text=True)
    false = client.get(control.PATH, query_string={"id": "1 AND 1=2"}).get_data(as_text=True)
    broken = client.get(control.PATH, query_string={"id": "1'"})
    assert "Wilayah ada" in true and "Tidak ditemukan" in false and broken.status_code == 200


def test_the_control_needs_a_session(app):
    control.install(app)
    assert app.test_client().get(control.PATH).status_code == 302


def test_every_route_has_a_scan_target(app):
    """Deny by default, as tests/test_access.py: a new route must get a row in scan/targets.py."""
    assert sqlscan.check_table(app) == []


def test_the_table_check_notices_a_new_route(app):
    app.add_url_rule("/baru", "brand_new", lambda: "")
    assert sqlscan.check_table(app) == ["route without a scan target: ('brand_new', 'GET')"]


def test_the_recorder_notes_what_a_view_reads(app, users, tmp_path):
    log = tmp_path / "reads.jsonl"
    recorder.install(app, str(log))
    client = app.test_client()
    login(client, "admin")
    client.get("/laporan/cari/", query_string={"q": "banjir", "nama_lain": "x"})
    search = [json.loads(line) for line in log.read_text().splitlines() if '"search.index"' in line][-1]
    assert ["query", "q"] in search["reads"] and ["query", "nama_lain"] not in search["reads"]
    assert search["user"] == "admin" and search["status"] == 200
    assert 0 < search["ms"] < 60_000


def test_the_summary_names_the_slowest_answers():
    from scan.run import slowest

    records = [{"endpoint": "search.index", "method": "GET", "status": 200, "ms": 1234.5}]
    assert slowest([]) == []
    assert "1234.5 ms  search.index GET 200" in "\n".join(slowest(records))


def test_coverage_finds_unlisted_and_unreached_names():
    targets = {("x.index", "GET"): Target("admin", query={"q": "a", "page": "1"})}
    records = [{"endpoint": "x.index", "method": "GET", "status": 200, "reads": [["query", "q"], ["query", "sort"]]}]
    found = {(f.rule, f.where) for f in sqlscan.coverage(records, targets)}
    assert found == {("unlisted", "x.index GET query:sort"), ("unreached", "x.index GET query:page")}


def test_numbered_names_are_one_field():
    assert normalise("discussion-12") == normalise("discussion-5") == "discussion-#"


HUGE = "99999999999999999999"  # past SQLite's INTEGER: used as an id it raised OverflowError, a 500


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("admin", f"/kuesioner/putaran/baru?rapat={HUGE}", 200),
        ("admin", f"/peta/?provinsi=63&lapisan=peringkat&indeks={HUGE}", 200),
        ("admin", "/kuesioner/putaran/baru?rapat=0", 404),
    ],
)
def test_an_id_past_any_row_is_not_a_crash(app, users, user, url, status):
    """Found while building make scan's edge values: these answered 500 on SQLite."""
    client = app.test_client()
    login(client, user)
    assert client.get(url).status_code == status


def test_a_registry_id_past_any_row_is_refused(app, users):
    from .access.meetings import setup

    meeting_id = setup(app, users)["meeting_id"]
    client = app.test_client()
    login(client, "fasilitator")
    response = client.post(f"/rapat/{meeting_id}/hadir", data={"participant_id": HUGE, "name": "X", "unsur": "asn"})
    assert response.status_code == 422  # was a 500


SQLMAP_CLEAN = (
    "[WARNING] GET parameter 'q' does not seem to be injectable\n"
    "[CRITICAL] all tested parameters do not appear to be injectable."
)
SQLMAP_FOUND = "GET parameter 'id' is vulnerable. Do you want to keep testing the others (if any)? [y/N] Y\n"


@pytest.mark.parametrize(
    ("output", "expected"),
    [(SQLMAP_CLEAN, ([], True)), (SQLMAP_FOUND, (["id"], True)), ("[CRITICAL] connection refused", ([], False))],
)
def test_sqlmap_verdicts(output, expected):
    """sqlmap exits 0 whatever it finds: the verdict is read from its output, and no verdict is a failure."""
    assert sqlscan.verdict(output) == expected


def test_an_incomplete_run_is_a_finding(tmp_path):
    job = sqlscan.control_job()
    outcome = sqlscan.Outcome(job, [], False, 1.0, 200, tmp_path / "x.log")
    assert [f.rule for f in sqlscan.findings([outcome])] == ["incomplete"]


def test_a_run_without_a_verdict_is_run_once_more(tmp_path):
    job = sqlscan.control_job()
    clean, lost = (sqlscan.Outcome(job, [], done, 1.0, 200, tmp_path / "x.log") for done in (True, False))
    again = []

    def run_again(job):
        again.append(job)
        return sqlscan.Outcome(job, [], len(again) == 1, 2.0, 200, tmp_path / "y.log")

    first = sqlscan.retried([clean, lost, lost], run_again)
    assert [o.complete for o in first] == [True, True, False] and len(again) == 2
    assert first[0] is clean and [f.rule for f in sqlscan.findings(first)] == ["incomplete"]


def test_accepted_findings_need_a_reason(tmp_path):
    path = tmp_path / "accepted.toml"
    path.write_text('[[accepted]]\ntool = "bandit"\nrule = "B608"\nwhere = "app/x.py"\nreason = "ok"\n')
    with pytest.raises(ValueError, match="needs a reason"):
        load_accepted(path)


def test_only_listed_findings_are_accepted():
    entry = Accepted("semgrep", "no-sql-string", "app/synthetic/*", "identifiers from the model metadata only")
    inside = Finding("semgrep", "no-sql-string", "app/synthetic/bulk.py")
    outside = Finding("semgrep", "no-sql-string", "app/reports/routes.py")
    other_rule = Finding("bandit", "B608", "app/synthetic/bulk.py")
    assert matches(entry, inside) and not matches(entry, outside) and not matches(entry, other_rule)
    assert split([inside, outside, other_rule], [entry]) == ([inside], [outside, other_rule], [])


def test_an_entry_can_accept_one_statement_only():
    entry = Accepted("bandit", "B608", "app/reports/search.py", "the table name is a module constant", "{VOCABULARY}")
    constant = Finding("bandit", "B608", "app/reports/search.py", 'line 9: text(f"SELECT term FROM {VOCABULARY}")')
    other = Finding("bandit", "B608", "app/reports/search.py", 'line 20: text(f"SELECT * FROM x WHERE q = {q}")')
    assert matches(entry, constant) and not matches(entry, other)


def test_the_repository_accepted_file_is_valid():
    assert all(entry.reason for entry in load_accepted(ROOT / "scan" / "accepted.toml"))
