"""bandit and semgrep over the source, with their findings in one shape."""

import json
import os
import subprocess
from pathlib import Path

from .findings import Finding

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "scan" / "rules"
# What the static tools read: the application, its templates, and the entry point.
SOURCES = ("app", "templates", "wsgi.py")


def bandit(tools: Path) -> tuple[list[Finding], int]:
    """bandit -ll (medium severity and up) over app/ and wsgi.py: (findings, lines scanned)."""
    done = subprocess.run(
        [tools / "bandit", "-ll", "-r", "app", "wsgi.py", "-c", "pyproject.toml", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode not in (0, 1):  # 1: findings were made
        raise RuntimeError(f"bandit failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report.get("errors"):
        raise RuntimeError(f"bandit could not read: {report['errors']}")
    findings = [
        Finding(
            "bandit",
            r["test_id"],
            r["filename"],
            f"line {r['line_number']}, {r['issue_severity'].lower()}: {_line(r['filename'], r['line_number'])}",
        )
        for r in report["results"]
    ]
    return findings, report["metrics"]["_totals"]["loc"]


def _line(path: str, number: int) -> str:
    """The source line a finding points at (semgrep's own copy needs a log-in without a registry account)."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return lines[number - 1].strip()[:160] if 0 < number <= len(lines) else ""


def semgrep_env() -> dict:
    """No network: no metrics, no version check."""
    return {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}


def semgrep_rule_tests(tools: Path) -> tuple[bool, str]:
    """`semgrep --test` on the rules' own fixtures: every rule fires on its bad lines and only there."""
    done = subprocess.run(
        [tools / "semgrep", "--test", "--metrics=off", "--disable-version-check", str(RULES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=semgrep_env(),
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def semgrep(tools: Path) -> tuple[list[Finding], int, int]:
    """semgrep with the repo's rules over the sources: (findings, rules, files scanned)."""
    done = subprocess.run(
        [
            tools / "semgrep",
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--config",
            str(RULES),
            "--json",
            "--quiet",
            *SOURCES,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=semgrep_env(),
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"semgrep failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report.get("errors"):
        raise RuntimeError(f"semgrep errors: {report['errors']}")
    findings = [
        Finding(
            "semgrep",
            r["check_id"].rsplit(".", 1)[-1],
            r["path"],
            f"line {r['start']['line']}: {_line(r['path'], r['start']['line'])}",
        )
        for r in report["results"]
    ]
    rules = len(list(RULES.glob("*.yaml")))
    return findings, rules, len(report.get("paths", {}).get("scanned", []))
