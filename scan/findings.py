"""Findings of every tool, the accepted-findings file, and the summary table."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    """One thing a tool reported; `where` is a file path, or `endpoint METHOD parameter` for sqlmap."""

    tool: str
    rule: str
    where: str
    detail: str = ""


@dataclass(frozen=True)
class Accepted:
    """A reviewed finding: tool, rule and place, and why it is not a problem."""

    tool: str
    rule: str
    where: str
    reason: str
    # Text the finding's source line must contain, to accept one statement rather than a whole file.
    contains: str = ""


def load_accepted(path: Path) -> list[Accepted]:
    """The accepted findings; each needs tool, rule, where and a real reason."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("accepted", [])
    accepted = []
    for number, entry in enumerate(entries, 1):
        missing = [key for key in ("tool", "rule", "where", "reason") if not str(entry.get(key, "")).strip()]
        if missing:
            raise ValueError(f"{path.name}: accepted finding {number} lacks {', '.join(missing)}")
        if len(entry["reason"].split()) < 4:
            raise ValueError(f"{path.name}: accepted finding {number} needs a reason, not {entry['reason']!r}")
        accepted.append(
            Accepted(entry["tool"], entry["rule"], entry["where"], entry["reason"], entry.get("contains", ""))
        )
    return accepted


def matches(entry: Accepted, finding: Finding) -> bool:
    """An entry covers findings of its tool and rule at its place (`where` may end in * for a prefix) whose
    source line holds `contains`."""
    if (entry.tool, entry.rule) != (finding.tool, finding.rule) or entry.contains not in finding.detail:
        return False
    if entry.where.endswith("*"):
        return finding.where.startswith(entry.where[:-1])
    return entry.where == finding.where


def split(findings: list[Finding], accepted: list[Accepted]) -> tuple[list[Finding], list[Finding], list[Accepted]]:
    """(accepted findings, new findings, accepted entries that matched nothing)."""
    old = [f for f in findings if any(matches(a, f) for a in accepted)]
    new = [f for f in findings if f not in old]
    unused = [a for a in accepted if not any(matches(a, f) for f in findings)]
    return old, new, unused


def normalise(name: str) -> str:
    """A parameter name with its numbers and {placeholders} blanked: `discussion-12`, `discussion-{agenda_id}`."""
    return re.sub(r"\{[^}]*\}|\d+", "#", name)


def table(rows: list[tuple]) -> str:
    """Plain text columns, the first row as header."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
