"""Headless Chromium renders the attribution report: plotly draws every chart, offline.

Skipped with a reason when no Chromium is installed (CI installs Debian's `chromium`). Set
CHROMIUM_BIN to use another binary, and REPORT_SCREENSHOT_DIR to keep the screenshot (e.g. as a
CI artifact). Each browser run takes about 3-6 s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from reports import render_attribution_report
from reports._files import PLOTLY_JS
from tests.reports.sample import ESCAPED_CAMPAIGN, empty_report_data, sample_report_data

WIDTH, HEIGHT = 1400, 4000
CHARTS_IN_SAMPLE = 5


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_BIN"), "/usr/bin/chromium", "chromium",
                      "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found (install Debian's `chromium` or set CHROMIUM_BIN)",
)


def _run(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
        f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
        # Virtual time lets the page's scripts (plotly's drawing) finish before the capture.
        "--virtual-time-budget=10000", *args, page.as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False, cwd=profile)


def _dom(page: Path, tmp_path: Path) -> str:
    profile = tmp_path / "profile-dom"
    profile.mkdir()
    result = _run(page, profile, "--dump-dom")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode("utf-8")


def _body(dom: str) -> str:
    match = re.search(r"<body[^>]*>", dom)
    assert match, dom[:500]
    return match.group(0)


def test_chromium_draws_every_chart_and_takes_a_screenshot(tmp_path: Path) -> None:
    page = render_attribution_report(sample_report_data(), tmp_path / "report")
    dom = _dom(page, tmp_path)
    body = _body(dom)
    assert 'data-rendered="ok"' in body, body
    assert f'data-charts="{CHARTS_IN_SAMPLE}"' in body, body
    assert f'data-charts-expected="{CHARTS_IN_SAMPLE}"' in body
    assert dom.count('class="plot-container') >= CHARTS_IN_SAMPLE
    assert dom.count('class="main-svg"') >= CHARTS_IN_SAMPLE
    assert 'class="chart-fallback"' not in dom, "plotly replaced every fallback message"
    assert ESCAPED_CAMPAIGN in dom
    # Plotly drew bars (one path per bar) and axis labels from the data.
    assert len(re.findall(r'class="point"', dom)) > 100
    assert "Position-based" in dom and "google_ads" in dom

    profile = tmp_path / "profile-shot"
    profile.mkdir()
    png = tmp_path / "report.png"
    result = _run(page, profile, f"--screenshot={png}")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    keep = os.environ.get("REPORT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / "attribution-report.png")
    _assert_png(png)


def _assert_png(png: Path) -> None:
    raw = png.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    assert raw[12:16] == b"IHDR"
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert (width, height) == (WIDTH, HEIGHT)
    image_mod = pytest.importorskip("PIL.Image")
    with image_mod.open(png) as im:
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 200, "not a blank page"
        # The header band is dark; the google_ads bars (#4285F4) are drawn in the charts.
        assert sum(rgb.getpixel((20, 20))) < 200
        google = sum(n for n, c in colours if _near(c, (0x42, 0x85, 0xF4)))
        assert google > 2_000, f"only {google} google_ads-blue pixels: charts not drawn?"


def _near(c: object, target: tuple[int, int, int]) -> bool:
    assert isinstance(c, tuple)
    return all(abs(a - b) <= 6 for a, b in zip(c, target, strict=True))


def test_chromium_renders_an_empty_first_run_report(tmp_path: Path) -> None:
    page = render_attribution_report(empty_report_data(), tmp_path / "report")
    dom = _dom(page, tmp_path)
    body = _body(dom)
    assert 'data-rendered="ok"' in body, body
    assert "First run" in dom
    assert dom.count("No data") >= 6


def test_page_without_plotly_js_still_reads_and_says_why(tmp_path: Path) -> None:
    data = replace(sample_report_data(), previous=None, previous_generated_at=None)
    page = render_attribution_report(data, tmp_path / "report")
    (page.parent / PLOTLY_JS).unlink()
    dom = _dom(page, tmp_path)
    assert 'data-rendered="no-plotly"' in _body(dom)
    assert "Chart not drawn" in dom
    assert "google_ads" in dom and "1,284.0" in dom
