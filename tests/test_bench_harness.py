"""The pure parts of `make bench` (bench/httpbench.py): the form a browser would post, Lua literals, judging."""

import pytest

from bench import httpbench as hb

FORM = """
<p>before</p>
<form method="post" action="/x">
  <input type="hidden" name="csrf_token" value="tok">
  <input type="hidden" name="version" value="3">
  <select name="aspect"><option value="">— pilih —</option><option selected value="ekonomi">Ekonomi</option></select>
  <select name="kecamatan_id"><option value="">— pilih —</option><option value="7">A</option></select>
  <input name="title" type="text" value="Judul &amp; &quot;kutipan&quot;">
  <textarea name="what">\r\nBaris satu\nbaris dua</textarea>
  <textarea name="how">
</textarea>
  <input type="checkbox" name="reasons" value="a" checked><input type="checkbox" name="reasons" value="b">
  <button type="submit" name="go">Simpan</button>
</form>
<form><input name="other" value="no"></form>
"""


def test_form_fields_are_what_a_browser_posts():
    """Hidden fields, the selected (or first) option, text with one leading newline dropped, checked boxes."""
    assert hb.form_fields(FORM) == [
        ("csrf_token", "tok"),
        ("version", "3"),
        ("aspect", "ekonomi"),
        ("kecamatan_id", ""),
        ("title", 'Judul & "kutipan"'),
        ("what", "Baris satu\nbaris dua"),
        ("how", ""),
        ("reasons", "a"),
    ]


def test_lua_literals_escape_every_byte_that_could_break_out():
    """Quotes, backslashes, newlines and non-ASCII become decimal escapes; tables nest."""
    assert hb.lua('a"b\\c\né') == '"a\\034b\\092c\\010\\195\\169"'
    assert hb.lua({"k": [1, 2.5, True, None]}) == '{["k"] = {1, 2.5, true, nil}}'


@pytest.mark.parametrize(("text", "expected"), [("10s", 10), ("500ms", 0.5), ("2m", 120), ("3", 3)])
def test_durations(text, expected):
    """wrk's duration syntax."""
    assert hb.seconds(text) == expected


def run(p95: float) -> hb.Run:
    """A wrk result with this p95."""
    return hb.Run(p50_ms=p95 / 2, p95_ms=p95, rps=1, ok=1, bad=0, timeouts=0, socket_errors=0, statuses={})


def test_absolute_targets_are_judged_at_one_client_and_ratios_at_every_count():
    """P1: 50 ms at 1 client and 6× the floor; at 16 clients only the ratio."""
    page = hb.Page("search", "search", "admin", "/laporan/cari/", (hb.P1,))
    assert hb.judge(page, 1, run(40), run(10), 4.0) == [("P1 p95 ≤50 ms", True), ("P1 ≤6× floor", True)]
    assert hb.judge(page, 1, run(60), run(5), 12.0) == [("P1 p95 ≤50 ms", False), ("P1 ≤6× floor", False)]
    assert hb.judge(page, 16, run(600), run(200), 3.0) == [("P1 ≤6× floor", True)]


def test_failed_requests_are_counted():
    """A 409 or a timeout is a failure, never a fast success."""
    assert hb.Run(1, 2, 3, ok=10, bad=2, timeouts=1, socket_errors=1, statuses={"409": 2}).failed == 4
