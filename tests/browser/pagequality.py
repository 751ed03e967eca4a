"""Page-quality checkers for the browser tests: axe-core (WCAG 2.1 AA), bytes transferred, the Nu Html Checker."""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_PAGE_BYTES = 100 * 1024
# vnu does not know htmx's attributes; only "Attribute “hx-…” not allowed on element …" is forgiven.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z:-]+” not allowed on element “[^”]+” at this point\.$")


def require_tools() -> None:
    """Fail with the set-up hint when axe-core, vnu.jar or Java are missing (never skip)."""
    missing = [str(p.relative_to(ROOT)) for p in (AXE, VNU) if not p.exists()]
    if shutil.which("java") is None:
        missing.append("java (Java 17: apt-get install default-jre-headless)")
    if missing:
        raise AssertionError(f"Alat pemeriksa tidak ada: {', '.join(missing)}; jalankan `make test`.")


def settle(page) -> None:
    """Wait until htmx has finished swapping and no CSS transition runs (a fading form has lower contrast)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
        " && document.getAnimations().every(a => a.playState !== 'running')"
    )


def run_axe(page) -> list[dict]:
    """Inject axe-core into the page (CDP evaluation is not subject to the page's CSP) and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def describe_violations(violations: list[dict]) -> str:
    """A readable summary: rule, impact, help, and the first few offending elements with axe's reason."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{len(violation['nodes'])}×]")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", " ")[:300])
    return "\n".join(lines)


@dataclass
class Traffic:
    """Bytes received per request, from CDP's Network.loadingFinished (headers included), by document."""

    sizes: dict[str, int] = field(default_factory=dict)
    requests: dict[str, tuple[str, str]] = field(default_factory=dict)  # request id → (URL, loader id)
    loader: str = ""  # the loader of the latest document: its requests are the page's, late events are not

    def saw_request(self, event: dict) -> None:
        """Note a request's URL and the document loader it belongs to."""
        self.requests[event["requestId"]] = (event["request"]["url"], event.get("loaderId", ""))
        if event.get("type") == "Document":
            self.loader = event.get("loaderId", "")

    def page_requests(self) -> dict[str, int]:
        """URL → bytes of every finished request of the current document."""
        found: dict[str, int] = {}
        for rid, size in self.sizes.items():
            url, loader = self.requests.get(rid, ("?", ""))
            if loader == self.loader:
                found[url] = found.get(url, 0) + size
        return found

    @property
    def total(self) -> int:
        """All bytes the current document and its sub-resources took."""
        return sum(self.page_requests().values())

    def heaviest(self, count: int = 5) -> str:
        """The largest requests, for a failure message."""
        ranked = sorted(self.page_requests().items(), key=lambda kv: -kv[1])[:count]
        return ", ".join(f"{url} {size} B" for url, size in ranked)


def watch_traffic(page) -> Traffic:
    """Count the bytes a tab receives, with the browser cache off so every load is a cold one."""
    traffic = Traffic()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.on("Network.requestWillBeSent", traffic.saw_request)
    cdp.on("Network.loadingFinished", lambda e: traffic.sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.__dict__["_waspada_cdp"] = cdp  # keep the session alive as long as the tab
    return traffic


def vnu_messages(files: list[Path]) -> list[dict]:
    """Run the Nu Html Checker once over all files (HTML, plus CSS and SVG by extension); its error messages."""
    command = ["java", "-Xss2m", "-jar", str(VNU), "--format", "json", "--errors-only", "--also-check-css"]
    command += ["--also-check-svg", *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    try:
        report = json.loads(done.stderr or done.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"vnu gave no JSON (exit {done.returncode}): {done.stderr[:2000]}") from error
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


def is_htmx_attribute(message: dict) -> bool:
    """True for vnu's complaint that an hx-* attribute is unknown, the one kind of message we forgive."""
    return bool(HTMX_ATTRIBUTE.match(message.get("message", "")))


def _squeeze(text: str, limit: int = 160) -> str:
    """Whitespace folded and cut, so one message stays one readable line."""
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def describe_vnu(messages: list[dict]) -> str:
    """One line per error: file, line, message and the markup around it."""
    return "\n".join(
        f"- {Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}  «{_squeeze(m.get('extract', ''))}»"
        for m in messages
    )
