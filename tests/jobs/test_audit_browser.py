"""The audit HTML in a real browser (headless Chromium from Debian's ``chromium`` package): it renders (a screenshot
that is not blank and shows the embedded figures), and hostile titles and ids show as text and run nothing.

Skipped where /usr/bin/chromium is missing, except under CI=true (``.ci/run`` installs it: a skip there would hide a
missing install step).
"""
import html
import json
import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jobs import audit
from jobs.curate import run as curate
from tests.media_fixtures import media  # noqa: F401

# Each payload, had it run, would change document.title (or call alert, which the probe below turns into a title).
HOSTILE_TITLES = ["<script>alert(1)</script>",
                  "<img src=x onerror=\"document.title='pwned'\">",
                  "<svg onload=\"document.title='pwned-svg'\"></svg>",
                  "<a href=\"javascript:document.title='pwned-js'\">点我</a> 周末去海边露营",
                  "</td></tr></table><script>document.title='pwned-break'</script>"]
HOSTILE_ID = "<img src=x onerror=\"document.title='pwned-id'\">"  # a video_id, on a rejected video with a thumbnail
# Test-only probe prepended to a copy of the report: proves scripts run in this browser, and turns alert() and any
# script error into a changed title, so "the title is unchanged" means nothing in the report ran.
PROBE = ("<script>window.alert = function (m) { document.title = 'alerted:' + m; };"
         "window.addEventListener('error', function () { document.title = 'error'; }, true);"
         "document.documentElement.setAttribute('data-probe', 'ran');</script>")
TIMEOUT = 60  # seconds; a hung browser fails the test instead of hanging the suite


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but headless Chromium (/usr/bin/chromium) is missing: "
                        "apt-get install chromium chromium-driver")
        pytest.skip("headless Chromium not installed (/usr/bin/chromium): apt-get install chromium chromium-driver")
    return path


def _browse(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium on a fresh profile; its stdout. Killed (with its child processes) after TIMEOUT."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    browser = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = browser.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.communicate()
        pytest.fail(f"headless Chromium did not finish in {TIMEOUT} s (an alert() dialog opened by the page blocks "
                    f"it): {' '.join(args)}")
    assert browser.returncode == 0, err[-3000:]
    return out


class _Dom(HTMLParser):
    """Elements (tag, attrs) and text nodes of a DOM dump."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements, self.texts = [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


@pytest.fixture(scope="module")
def report(media, tmp_path_factory):  # noqa: F811
    """An audit report of a --phase all run: kept, decoded-and-rejected (thumbnails) and hostile records."""
    _chromium()  # skip (or fail under CI=true) before curating anything
    tmp = tmp_path_factory.mktemp("audit_browser")
    records = [{"video_id": f"h{i}", "title": t, "duration": 30} for i, t in enumerate(HOSTILE_TITLES)]
    records += [{"video_id": "ok", "title": "周末去海边露营的一天", "duration": 12, "category": "旅游",
                 "video_path": str(media.normal)},
                {"video_id": "static", "title": "老爸的拿手菜糖醋排骨", "duration": 12, "category": "美食制作",
                 "video_path": str(media.static)},
                {"video_id": "blank", "title": "王者荣耀李白连招教学", "duration": 12, "category": "游戏",
                 "video_path": str(media.blank)},
                {"video_id": HOSTILE_ID, "title": "第一次做蛋糕失败了", "duration": 12, "category": "美食制作",
                 "video_path": str(media.wide)},
                {"video_id": "short", "title": "猫咪", "duration": 30, "category": "宠物"},
                {"video_id": "long", "title": "正常的标题很好看", "duration": 500}]
    path = tmp / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp / "out"
    curate(["--phase", "all", "--input", str(path), "--output", str(out), "--quiet", "--direct_num_workers=1",
            "--set", "clip_score.mode=absolute", "--set", "clip_score.threshold=-1"])
    result = audit.run(["--run", str(out), "--sample", "10"])
    return Path(result["html"]), result


def test_audit_report_renders_in_headless_chromium(report, tmp_path):
    from PIL import Image
    page, result = report
    thumbs = {r["video_id"] for group in result["samples"] for r in group["rows"] if r["thumb"]}
    assert {"static", "blank", HOSTILE_ID} <= thumbs  # rejected after decoding: shown with their thumbnails
    png = tmp_path / "audit.png"  # tall enough for the whole report of this run (about 3,000 px at this width)
    _browse(tmp_path, f"--screenshot={png}", "--window-size=1280,4000", "--hide-scrollbars", page.as_uri())
    assert png.stat().st_size > 20_000
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 4000)
    colours = image.getcolors(maxcolors=1 << 22)
    assert len(colours) > 100  # text, tables, figures: not one colour
    assert max(count for count, _ in colours) < 0.99 * 1280 * 4000

    def pixels(r, g, b, tolerance):
        return sum(n for n, c in colours if max(abs(c[0] - r), abs(c[1] - g), abs(c[2] - b)) <= tolerance)
    assert pixels(0x4a, 0x7a, 0xb0, 12) > 2_000  # the histograms (PNG data URIs) are drawn: their bars' blue
    # the thumbnails (JPEG data URIs) are drawn: testsrc2's pure blue and magenta bars, found nowhere else
    assert pixels(0, 0, 255, 70) > 300 and pixels(255, 0, 255, 70) > 300


def test_hostile_titles_show_as_text_and_run_nothing(report, tmp_path):
    page, result = report
    title = f"ykcurate audit: {result['run']}"
    dump = _browse(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    dom = _Dom(dump)
    assert f"<title>{html.escape(title, quote=False)}</title>" in dump  # no payload changed the title
    assert not [tag for tag, _ in dom.elements if tag in ("script", "svg", "iframe", "object", "embed")]
    for tag, attrs in dom.elements:  # no element carries an event handler or a javascript: URL
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not any((value or "").strip().lower().startswith("javascript:") for value in attrs.values()), attrs
    texts = [text.strip() for text in dom.texts]
    for hostile in HOSTILE_TITLES + [HOSTILE_ID]:  # each one is a text node, shown as typed
        assert hostile in texts, hostile
        assert html.escape(hostile, quote=False) in dump
    assert all(tag != "img" or attrs.get("src", "").startswith("data:image/") for tag, attrs in dom.elements)

    # the same page with a test-only probe first: scripts do run here, yet alert() and onerror never fire
    probed = tmp_path / "audit-probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    dump = _browse(tmp_path, "--virtual-time-budget=2000", "--dump-dom", probed.as_uri())
    assert 'data-probe="ran"' in dump
    assert f"<title>{html.escape(title, quote=False)}</title>" in dump
    # and the probe would have seen them: the same payload as markup does change the title
    control = tmp_path / "control.html"
    control.write_text(f"<!doctype html><html><head>{PROBE}<title>t</title></head><body>{HOSTILE_TITLES[0]}"
                       f"{HOSTILE_TITLES[1]}</body></html>", encoding="utf-8")
    dump = _browse(tmp_path, "--virtual-time-budget=2000", "--dump-dom", control.as_uri())
    assert "<title>pwned</title>" in dump or "<title>alerted:1</title>" in dump, dump[:300]
