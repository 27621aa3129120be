"""The HTML audit report: complete, escaped, inert, self-contained, and sound in a real browser.

The browser tests drive Debian's Chromium headless (CI installs it; a missing browser is a
failure, never a skip). Console messages are read from Chromium's log on stderr, and a page
that does log errors proves the checker can fail. Layout on a phone and on paper is measured
through the DevTools protocol over a pipe (stdlib only).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import html
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from sample import sample_result

from scanner.catalogue import catalogue, catalogues
from scanner.cli import main
from scanner.models import Location, ScanResult, Severity
from scanner.report import RenderSettings, get_chunked_renderer, get_renderer
from scanner.report.html import CSP, render

SETTINGS = RenderSettings()
TIMEOUT = 60  # seconds, for every browser process
HOSTILE = '<script>alert(1)</script> & "><img src=x onerror=alert(1)>'
HOSTILE_FILE = '"><img src=x onerror=alert(1)>&.yaml'
ESCAPED = html.escape(HOSTILE, quote=True)
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "nav", "main",
                "footer", "section", "article", "div", "span", "p", "br", "h1", "h2", "h3",
                "h4", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td",
                "a", "strong", "em", "code", "pre"}
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "href",
                 "rel", "role", "tabindex", "aria-label", "aria-labelledby", "scope"}


def _html(result: ScanResult, settings: RenderSettings = SETTINGS) -> str:
    return render(result, settings)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert(text: str, allowed_links: set[str]) -> None:
    """No script, handler, frame, form or outside load; links only in-page or to references."""
    doc = Elements(text)
    ids = {a["id"] for _, a in doc.tags if a.get("id")}
    assert {t for t, _ in doc.tags} <= ALLOWED_TAGS
    for tag, attrs in doc.tags:
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
        assert not [k for k in attrs if k.startswith("on")]
        href = attrs.get("href")
        if href is not None:
            assert tag == "a"
            assert href[1:] in ids if href.startswith("#") else href in allowed_links, href
    csp = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
    assert csp == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert "script-src" not in CSP and "default-src 'none'" in CSP


def reference_links(result: ScanResult) -> set[str]:
    return {r.url for f in result.findings for r in f.references
            if r.url.startswith("https://")}


def style_of(text: str) -> str:
    (css,) = re.findall(r"<style>(.*?)</style>", text, re.S)
    return css


# The report of examples/, made by the CLI ---------------------------------------------------

@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    """(report path, its text, the JSON report of the same run) for `wardscan scan examples/`."""
    out = tmp_path_factory.mktemp("examples")
    report, data = out / "report.html", out / "report.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        code = main(["scan", "examples/", "--no-config", "--format", "html", "-o", str(report),
                     "--output-format", f"json={data}", "--fail-on", "none"])
    assert code == 0
    return report, report.read_text(encoding="utf-8"), json.loads(data.read_text())


def test_examples_report_names_deployments_findings_and_files(
        examples: tuple[Path, str, dict[str, Any]]) -> None:
    _, text, data = examples
    for name in ("discharge-summary-assistant", "symptom-checker-bot", "coding-assistant"):
        assert f"<h3>{name}</h3>" in text
    assert ("<tr><td>openai</td><td>chat completions API</td><td>yes</td><td><span class=\"warn\">"
            "not declared: receives PHI without a signed BAA</span></td></tr>") in text
    shown = re.findall(r'<article class="finding [a-z]+" id="finding-\d+"><h3>.*?'
                       r'<code class="id">([^<]+)</code>.*?<dt>Location</dt><dd><code>([^<]+)'
                       r"</code>", text, re.S)
    assert shown == [(f["rule_id"], f"{f['file']}:{f['line']}:{f['column']}")
                     for f in data["findings"]]
    assert len(shown) == len(data["findings"]) > 40
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert (f'<tr><td><code>examples/{path.name}</code></td><td><code class="hash">{digest}'
                "</code></td></tr>") in text
    for pack in data["scan"]["packs"]:
        assert (f'<tr><td><code class="id">{pack["id"]}</code></td><td>'
                f'{html.escape(pack["name"])}</td><td>{pack["version"]}</td>') in text


def test_examples_report_verdict_compliance_and_empty_sections(
        examples: tuple[Path, str, dict[str, Any]]) -> None:
    _, text, data = examples
    assert ('<p class="verdict none"><strong>NO THRESHOLD</strong>: no failure threshold '
            "(--fail-on none)</p>") in text
    for severity, n in data["summary"]["by_severity"].items():
        assert (f'<tr><td><span class="badge sev-{severity}">{severity.upper()}</span></td>'
                f"<td>{n}</td></tr>") in text
    # No --compliance: every catalogued framework is still reported, in catalogue order.
    names = re.findall(r'<h3 id="fw-[a-z0-9-]+">([^<]+)</h3>', text)
    assert names == [html.escape(c.name) for c in catalogues().values()]
    hipaa = text.split('<h3 id="fw-hipaa">', 1)[1].split("<h3", 1)[0]
    cited = {r["control"] for f in data["findings"] for r in f["references"]
             if r["framework"] == "hipaa"}
    assert {"164.502(b)", "164.308(a)(5)"} <= cited
    for control in cited:
        known = catalogue("hipaa").get(control)
        assert known is not None
        expected = "failed" if known.checkable else "not-checked"
        status = re.search(rf'<tr><td><code class="id">{re.escape(control)}</code></td>'
                           r'<td>[^\n]*?</td><td><span class="badge st-([a-z-]+)">', hipaa)
        assert status is not None and status.group(1) == expected, control
    assert "<p>No AI servers were found in the scanned files.</p>" in text
    assert "<p>No findings were suppressed.</p>" in text
    assert "<p>Every file could be read and parsed.</p>" in text


def test_examples_report_is_inert_and_self_contained(
        examples: tuple[Path, str, dict[str, Any]]) -> None:
    _, text, data = examples
    links = {r["url"] for f in data["findings"] for r in f["references"]
             if r["url"].startswith("https://")}
    assert_inert(text, links)
    hrefs = {a.get("href") or "" for t, a in Elements(text).tags if t == "a"}
    assert {h for h in hrefs if h.startswith("https://")} == links  # every reference link
    assert "<link" not in text.lower()
    css = style_of(text)
    assert "@import" not in css and "url(" not in css
    assert "http:" not in css and "https:" not in css.replace('a[href^="https://"]', "")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_badge_colours_meet_wcag_aa_contrast() -> None:
    css = style_of(_html(sample_result()))
    pairs = {f"{kind}-{name}": (bg, fg) for kind, name, bg, fg in re.findall(
        r"\.(sev|st)-([a-z-]+)\{background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})\}", css)}
    assert set(pairs) == ({f"sev-{s.value}" for s in Severity}
                          | {"st-failed", "st-met", "st-not-applicable", "st-not-checked"})
    for name, (bg, fg) in pairs.items():
        light, dark = sorted((_luminance(bg), _luminance(fg)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, name


# The sample result: every part of the report, exactly ------------------------------------

def test_sample_report_parts() -> None:
    text = _html(sample_result())
    assert ('<p class="verdict fail"><strong>FAIL</strong>: 2 findings at or above high '
            "(worst: critical); 1 file could not be scanned</p>") in text
    assert "<dt>Suppressed</dt><dd><a href=\"#suppressed\">1</a></dd>" in text
    assert "<p>No AIDeployment manifest was scanned, so there is no declared summary.</p>" in text
    assert ("<tr><td><a href=\"#finding-3\"><span class=\"badge sev-low\">LOW</span></a></td>"
            "<td><code class=\"id\">WS-HIPAA-AC-005</code></td><td><code>deploy/bot.yaml:41"
            "</code></td><td>inline</td><td>kiosk mode, screen locks after 5 minutes</td>"
            "<td>2027-06-30</td><td><code>deploy/bot.yaml:40</code></td></tr>") in text
    assert ("<tr><td>ollama</td><td>Deployment/ollama</td><td><code>deploy/other.yaml:20</code>"
            "</td><td><span class=\"warn\">Service/ollama-lb (LoadBalancer) at deploy/svc.yaml:9"
            "</span></td></tr>") in text
    assert ("<tr><td>vllm</td><td>Deployment/vllm</td><td><code>deploy/other.yaml:40</code>"
            "</td><td>not exposed</td></tr>") in text
    assert ("<tr><td><code>deploy/broken.yaml:7</code></td><td>invalid YAML: did not find "
            "expected key</td></tr>") in text
    assert ("<tr><td><code>deploy/bot.yaml</code></td><td><span class=\"muted\">not recorded"
            "</span></td></tr>") in text


def test_sample_findings_carry_explanation_fix_and_references() -> None:
    text = _html(sample_result())
    first = text.split('id="finding-1">', 1)[1].split("</article>", 1)[0]
    assert first.startswith('<h3><span class="badge sev-critical">CRITICAL</span> <code '
                            'class="id">WS-PRIV-BA-001</code> Vendor receives PHI without a '
                            "signed BAA</h3>")
    assert "<dt>Location</dt><dd><code>deploy/bot.yaml:12:5</code></dd>" in first
    assert "<dt>Resource</dt><dd>AIDeployment/bot</dd>" in first
    assert ("<dt>Why it matters</dt><dd><p>Checks BAAs with vendors.</p>\n"
            "<p>A vendor without a BAA may not receive PHI.</p></dd>") in first
    assert ("<dt>Fix</dt><dd><p>Sign a BAA with the vendor before sending PHI.</p>\n"
            "<pre><code>vendors:\n- baa: {signed: true}</code></pre></dd>") in first
    assert ('<dt>References</dt><dd><a href="https://www.law.cornell.edu/cfr/text/45/164.502" '
            'rel="noreferrer">hipaa 164.502(e)</a>, owasp-llm-2025 LLM02:2025</dd>') in first
    third = text.split('id="finding-3">', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge st-suppressed">suppressed</span>' in third
    assert ("<dt>Suppressed</dt><dd>inline, expires 2027-06-30, declared at <code>"
            "deploy/bot.yaml:40</code>: kiosk mode, screen locks after 5 minutes</dd>") in third
    fourth = text.split('id="finding-4">', 1)[1].split("</article>", 1)[0]
    assert "<dt>See also</dt><dd><code>deploy/svc.yaml:9:3</code></dd>" in fourth


def test_compliance_given_is_shown_with_totals_and_careful_words() -> None:
    text = _html(sample_result())
    assert re.findall(r'<h3 id="fw-[a-z0-9-]+">([^<]+)</h3>', text) == ["HIPAA (sample)"]
    assert ('Totals: failed 2 · met 1 · not applicable 1 · not checked 1.') in text
    assert ('<tr><td><code class="id">164.312(a)(2)(iii)</code></td><td>Automatic logoff</td>'
            '<td><span class="badge st-failed">failed</span><br>1 active<br>1 suppressed</td>'
            '<td><strong class="id">WS-HIPAA-AC-005 (1 active)</strong></td></tr>') in text
    assert ("MFA <em>(proposed, not in force)</em></td><td><span class=\"badge st-not-checked\">"
            "not checked</span></td><td><span class=\"muted\">none</span></td>") in text
    assert "not a legal conclusion" in text and "It is not legal advice." in text


def test_passing_verdict_and_paths_relative_to_the_root() -> None:
    base = sample_result()
    moved = tuple(dataclasses.replace(f, location=Location("/repo/" + f.location.path,
                                                           f.location.line, f.location.column))
                  for f in base.findings if f.severity < Severity.CRITICAL)
    result = dataclasses.replace(base, findings=moved, fail_on=Severity.CRITICAL, errors=(),
                                 files_scanned=("/repo/deploy/bot.yaml", "/elsewhere/x.yaml",
                                                "<stdin>"))
    text = _html(result, RenderSettings(root="/repo"))
    assert ('<p class="verdict pass"><strong>PASS</strong>: no findings at or above critical'
            "</p>") in text
    assert "<dt>Location</dt><dd><code>deploy/bot.yaml:30:3</code></dd>" in text
    for shown in ("deploy/bot.yaml", "/elsewhere/x.yaml", "&lt;stdin&gt;"):
        assert f"<tr><td><code>{shown}</code></td>" in text


def test_output_is_deterministic_and_streams_by_finding() -> None:
    result = sample_result()
    chunks = list(get_chunked_renderer("html")(result, SETTINGS))
    assert "".join(chunks) == get_renderer("html")(result, SETTINGS) == _html(result)
    assert sum(1 for c in chunks if c.startswith("<article")) == len(result.findings)
    assert "\x00" not in _html(result) and not re.search(r"\b20\d\d-\d\d-\d\dT", _html(result))


def test_hostile_text_in_a_result_is_escaped_everywhere() -> None:
    """Every kind of field a scanned file can feed, including characters HTML cannot carry."""
    base = sample_result()
    nasty = HOSTILE + "\x00\x1b[31m\udcff"
    first = dataclasses.replace(
        base.findings[0], message=nasty, resource=nasty, title=nasty, rule_id=nasty,
        location=Location(nasty, 1, 1), related=(Location(nasty, 2, 1),),
        remediation=nasty + "\n\n  " + nasty)
    result = dataclasses.replace(base, findings=(first, *base.findings[1:]),
                                 files_scanned=(nasty,), digests=((nasty, nasty),))
    text = _html(result)
    text.encode("utf-8")  # lone surrogates replaced
    assert "<script" not in text and "<img" not in text
    assert f"{ESCAPED}\ufffd\ufffd[31m\ufffd" in text
    assert_inert(text, reference_links(result))


# A hostile manifest, scanned by the CLI -----------------------------------------------------

def hostile_manifest() -> str:
    quoted = "'" + HOSTILE.replace("'", "''") + "'"
    return f"""\
apiVersion: wardscan/v1
kind: AIDeployment
metadata:
  name: {quoted}
  owner: {quoted}
  environment: production
  intended_use: {quoted}
  risk_tier: high
model:
  provider: openai
  name: {quoted}
  hosting: vendor_api
data:
  phi: true
  classes: [{quoted}]
vendors:
  - name: {quoted}
    service: {quoted}
    receives_phi: true
"""


def test_hostile_manifest_is_escaped_and_inert(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    try:
        (folder / HOSTILE_FILE).write_text(hostile_manifest())
        name = HOSTILE_FILE
    except OSError:  # a file system that refuses the name: the content is still hostile
        name = "hostile.yaml"
        (folder / name).write_text(hostile_manifest())
    monkeypatch.chdir(folder)
    code = main(["scan", ".", "--no-config", "--format", "html", "-o", str(out / "report.html"),
                 "--output-format", f"json={out / 'report.json'}", "--fail-on", "none"])
    assert code == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    data = json.loads((out / "report.json").read_text())
    assert "<script>alert" not in text and "<img src=x" not in text
    assert f"<h3>{ESCAPED}</h3>" in text  # metadata.name
    for label in ("Owner", "Intended use"):
        assert f"<dt>{label}</dt><dd>{ESCAPED}</dd>" in text
    assert f"<dt>Model</dt><dd>openai {ESCAPED} (vendor_api)</dd>" in text
    assert f"<dt>PHI classes</dt><dd>{ESCAPED}</dd>" in text
    assert f"<tr><td>{ESCAPED}</td><td>{ESCAPED}</td><td>yes</td>" in text  # the vendor
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert (f"<tr><td><code>{html.escape(name)}</code></td><td><code class=\"hash\">{digest}"
            "</code></td></tr>") in text
    assert HOSTILE in "".join(Elements(text).text)  # shown as text, not dropped
    assert_inert(text, {r["url"] for f in data["findings"] for r in f["references"]
                        if r["url"].startswith("https://")})


# Headless Chromium ----------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
# Chromium logs every console message and CSP violation as "...:CONSOLE(...)] ...".
_CONSOLE = re.compile(r"^.*:CONSOLE(?:\(\d+\))?:?\d*\].*$", re.M)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium", path="/usr/bin")
    if found is None:
        pytest.fail("Chromium is not installed: install Debian's chromium "
                    "(apt-get update && apt-get install -y chromium); CI installs it first.")
    return found


def run_chromium(exe: str, tmp: Path, pages: list[tuple[Path, tuple[str, ...]]]) -> list[str]:
    """Open each page in its own headless Chromium, all at once; return each one's stderr."""
    runs = []
    for n, (page, flags) in enumerate(pages):
        profile, log = tmp / f"profile-{n}", tmp / f"chromium-{n}.log"
        profile.mkdir()
        with log.open("w") as stderr:  # a file, so that no pipe fills while we wait
            runs.append((log, subprocess.Popen(
                [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
                 "--v=0", *flags, page.as_uri()],
                stdout=subprocess.DEVNULL, stderr=stderr)))
    try:
        codes = [proc.wait(timeout=TIMEOUT) for _, proc in runs]
    finally:
        for _, proc in runs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    logs = [log.read_text(errors="replace") for log, _ in runs]
    assert codes == [0] * len(runs), [text[-2000:] for text in logs]
    return logs


def console_messages(stderr: str) -> list[str]:
    """Console output and CSP violations a page caused; the report has no script, so none."""
    return _CONSOLE.findall(stderr)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_console_checker_catches_errors(chromium: str, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked.html"
    blocked.write_text(f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
                       f"content=\"{CSP}\"><title>t</title><p>x</p>"
                       "<script>console.log('ran-5c1d')</script>"
                       '<img src="https://example.com/x.png">')
    logged = tmp_path / "logged.html"
    logged.write_text("<!DOCTYPE html><title>t</title><script>console.error('probe-7f3a')"
                      "</script>")
    blocked_log, logged_log = run_chromium(chromium, tmp_path, [
        (blocked, ("--screenshot=" + str(tmp_path / "b.png"),)),
        (logged, ("--screenshot=" + str(tmp_path / "l.png"),))])
    found = console_messages(blocked_log)
    assert len(found) == 2 and all("Content Security Policy" in m for m in found), found
    assert "inline script" in found[0] and "https://example.com/x.png" in found[1]
    assert "ran-5c1d" not in blocked_log
    (message,) = console_messages(logged_log)
    assert '"probe-7f3a"' in message


def test_report_loads_cleanly_screenshots_and_prints(
        chromium: str, tmp_path: Path, examples: tuple[Path, str, dict[str, Any]]) -> None:
    report = examples[0]
    desktop, phone, pdf = tmp_path / "report.png", tmp_path / "phone.png", tmp_path / "report.pdf"
    logs = run_chromium(chromium, tmp_path, [
        (report, (f"--screenshot={desktop}", "--window-size=1280,2000")),
        (report, (f"--screenshot={phone}", "--window-size=375,812")),
        (report, (f"--print-to-pdf={pdf}", "--no-pdf-header-footer"))])
    assert [console_messages(log) for log in logs] == [[], [], []]
    assert png_size(desktop.read_bytes()) == (1280, 2000)
    assert png_size(phone.read_bytes()) == (375, 812)
    assert desktop.stat().st_size > 50_000 and phone.stat().st_size > 20_000  # not blank
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000
    assert pdf_pages(data) > 10


# Layout, measured through the DevTools protocol (--remote-debugging-pipe: fd 3 in, fd 4 out)

class DevTools:
    """The least of a DevTools client: one page, commands answered in order, events kept."""

    def __init__(self, exe: str, profile: Path) -> None:
        ours, theirs = self._pipes()
        self._write, self._read = ours
        read_end, write_end = theirs

        def give_fds() -> None:  # in the child: Chromium reads fd 3 and writes fd 4
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            preexec_fn=give_fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(read_end)
        os.close(write_end)
        self._buffer, self._next = b"", 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    @staticmethod
    def _pipes() -> tuple[tuple[int, int], tuple[int, int]]:
        """((our write end, our read end), (their read end, their write end)), all above fd 9
        so that putting theirs at 3 and 4 in the child cannot clobber one another."""
        def high(fd: int) -> int:
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return moved

        to_r, to_w = map(high, os.pipe())
        from_r, from_w = map(high, os.pipe())
        return (to_w, from_r), (to_r, from_w)

    def call(self, method: str, session: bool = False, **params: Any) -> Any:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while (reply := self._receive()).get("id") != self._next:
            self.events.append(reply)
        assert "error" not in reply, reply
        return reply["result"]

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer over the DevTools pipe")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        reply: dict[str, Any] = json.loads(raw)
        return reply

    def open(self, url: str, width: int, media: str = "screen") -> None:
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=800,
                  deviceScaleFactor=1, mobile=width < 500)
        self.call("Emulation.setEmulatedMedia", session=True, media=media)
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", session=True, expression=expression,
                         returnByValue=True)["result"]["value"]

    def problems(self) -> list[Any]:
        return [e["params"] for e in self.events if e.get("method") in (
            "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded")]

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self._write)
            os.close(self._read)


@pytest.fixture
def devtools(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    client = DevTools(chromium, tmp_path / "devtools-profile")
    yield client
    client.close()


# Widest right edge of anything outside a scrolling table wrapper, and of any table on paper.
_OVERFLOW = ("Math.max(...[...document.querySelectorAll('body *')]"
             ".filter(e => !e.closest('.scroll') || getComputedStyle(e.closest('.scroll'))"
             ".overflowX === 'visible').map(e => e.getBoundingClientRect().right))")


def test_report_fits_a_phone_and_paper(devtools: DevTools,
                                       examples: tuple[Path, str, dict[str, Any]]) -> None:
    url = examples[0].as_uri()
    devtools.open(url, 375)
    assert devtools.evaluate("document.documentElement.scrollWidth") == 375
    assert devtools.evaluate(_OVERFLOW) <= 375
    assert devtools.evaluate("getComputedStyle(document.querySelector('.scroll')).overflowX") \
        == "auto"  # wide tables scroll inside their box
    devtools.open(url, 700, media="print")  # about a Letter or A4 page between margins
    assert devtools.evaluate(_OVERFLOW) <= 700  # no table is clipped on paper
    assert devtools.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    assert devtools.problems() == []


def test_devtools_checker_sees_csp_violations(devtools: DevTools, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
                    f'content="{CSP}"><meta name="viewport" content="width=device-width">'
                    '<title>t</title><p style="width:900px">wide</p>'
                    "<script>console.error('x')</script>")
    devtools.open(page.as_uri(), 375)
    assert devtools.evaluate("document.documentElement.scrollWidth") > 375
    (problem,) = devtools.problems()
    assert problem["entry"]["level"] == "error"
    assert "Content Security Policy" in problem["entry"]["text"]
