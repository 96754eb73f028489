"""Unit tests of the attribution HTML report and its markdown summary (no browser)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from reports import (
    AttributionReportData,
    ReportDataError,
    _charts,
    _format,
    render_attribution_report,
    render_html,
    summary_markdown,
)
from reports._files import PLOTLY_JS
from tests.reports.sample import HOSTILE_CAMPAIGN, MODELS, empty_report_data, sample_report_data

SECTION_IDS = ["credit", "roas", "campaigns", "path-lengths", "time-to-conversion", "paths",
               "changes", "notes", "models"]
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _specs(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="(spec-[\w-]+)">(.*?)</script>',
                       html, flags=re.S)
    return {key: json.loads(text) for key, text in found}


def _hostile_data() -> AttributionReportData:
    data = sample_report_data()
    credit = data.credit.copy()
    credit.loc[credit["channel"] == "email", "channel"] = HOSTILE
    paths = data.top_paths.copy()
    paths.loc[0, "path"] = f"google_ads > {HOSTILE}"
    ttc = data.time_to_conversion.copy()
    ttc.loc[0, "bucket"] = HOSTILE
    return replace(
        data, title=f"Report {HOSTILE}", window=f"30 days {HOSTILE}", environment=HOSTILE,
        credit=credit, top_paths=paths, time_to_conversion=ttc,
        model_notes={**data.model_notes, "linear": HOSTILE},
        notes=[*data.notes, f"note {HOSTILE}"],
        pushed=[*data.pushed, {"destination": HOSTILE, "planned": 1, "sent": 1,
                               "already_sent": 0, "skipped": 0, "rejected": 0}],
    )


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_report_data())


# --------------------------------------------------------------------------- files


def test_render_writes_page_and_one_shared_plotly_js(tmp_path: Path) -> None:
    data = sample_report_data()
    path = render_attribution_report(data, tmp_path / "out")
    assert path.parent == tmp_path / "out"
    assert path.name == "attribution-sandbox-20261101-20261130-20261202T060000.html"
    js = tmp_path / "out" / PLOTLY_JS
    assert js.stat().st_size > 1_000_000
    assert js.read_bytes().lstrip().startswith(b"/**")
    # The page itself stays small: plotly.js is shared, not inlined.
    assert path.stat().st_size < 400_000
    before = js.stat().st_mtime_ns
    again = render_attribution_report(data, tmp_path / "out", file_name="again.html")
    assert again.name == "again.html"
    assert js.stat().st_mtime_ns == before, "an identical plotly.min.js is not rewritten"
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [path.name, "again.html", PLOTLY_JS])


def test_render_replaces_a_stale_plotly_js_and_an_old_page(tmp_path: Path) -> None:
    (tmp_path / PLOTLY_JS).write_text("stale")
    (tmp_path / "r.html").write_text("old page")
    path = render_attribution_report(sample_report_data(), tmp_path, file_name="r.html")
    assert (tmp_path / PLOTLY_JS).stat().st_size > 1_000_000
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("name", ["../x.html", "a/b.html", "", "report.txt", "..", "a\\b.html"])
def test_render_rejects_file_names_that_are_not_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ReportDataError, match="file_name"):
        render_attribution_report(sample_report_data(), tmp_path, file_name=name)


# --------------------------------------------------------------------------- content


def test_page_has_every_section_and_the_header_facts(html: str) -> None:
    for section in SECTION_IDS:
        assert f'id="{section}"' in html, section
    assert "Attribution — November 2026" in html
    assert "1 Nov 2026 – 30 Nov 2026 (30 days)" in html
    assert "Lookback window" in html
    assert "30-day lookback: touches up to 30 days before each conversion count" in html
    assert "sandbox" in html
    assert "2026-12-02 06:00 UTC" in html
    for heading in ["Credit by channel under each model", "ROAS by channel under each model",
                    "Top campaigns by credited value", "Path length", "Time to conversion",
                    "Top converting paths", "What changed since the last run",
                    "Notes and conversion push-back", "How the models share credit"]:
        assert heading in html, heading


def test_headline_totals_are_formatted(html: str) -> None:
    data = sample_report_data()
    value, spend = data.totals["value"], data.totals["spend"]
    assert "1,284.0" in html
    assert f"EUR {value:,.2f}" in html
    assert "EUR 39,400.00" in html
    assert f"{value / spend:,.2f}×" in html
    assert "18,585" in html
    assert "1,284 converting (6.9%)" in html


def test_credit_table_and_chart_cover_every_model_and_channel(html: str) -> None:
    data = sample_report_data()
    specs = _specs(html)
    assert set(specs) == {"spec-credit", "spec-roas", "spec-path-lengths", "spec-ttc",
                          "spec-changes"}
    credit = specs["spec-credit"]
    assert sorted(t["name"] for t in credit["data"]) == sorted(data.credit["channel"].unique())
    assert all(len(t["x"]) == len(MODELS) for t in credit["data"])
    google = next(t for t in credit["data"] if t["name"] == "google_ads")
    linear = data.credit.query("model == 'linear' and channel == 'google_ads'")
    expected = float(linear["conversions"].iloc[0])
    assert google["y"][MODELS.index("linear")] == pytest.approx(expected)
    assert google["marker"]["color"] == "#4285F4"
    # Value toggle carries one series per channel.
    value_args = credit["layout"]["updatemenus"][0]["buttons"][1]["args"][0]["y"]
    assert len(value_args) == len(credit["data"])
    assert f"{float(linear['conversions'].iloc[0]):,.1f}" in html
    for model in ["First touch", "Position-based 40/20/40", "Markov (order 2)",
                  "Shapley (coalition)", "Time decay (7d half-life)"]:
        assert model in html


def test_channel_colours_are_consistent_across_charts(html: str) -> None:
    specs = _specs(html)
    seen: dict[str, set[str]] = {}
    for key in ("spec-credit", "spec-roas"):
        for trace in specs[key]["data"]:
            seen.setdefault(trace["name"], set()).add(trace["marker"]["color"])
    assert all(len(c) == 1 for c in seen.values()), seen
    assert len({next(iter(c)) for c in seen.values()}) == len(seen), "distinct colours"
    colour = next(iter(seen["meta_ads"]))
    assert f"background: {colour}" in html  # the chips in tables use the same colour


def test_roas_shows_no_spend_instead_of_zero(html: str) -> None:
    specs = _specs(html)
    roas_channels = {t["name"] for t in specs["spec-roas"]["data"]}
    assert roas_channels == {"google_ads", "meta_ads", "email", "linkedin_ads"}
    roas = html[html.index('id="roas"'):html.index('id="campaigns"')]
    assert "No spend, so no ROAS" in roas
    organic_row = re.search(r"organic</span></td>(.*?)</tr>", roas, flags=re.S)
    assert organic_row is not None
    assert organic_row.group(1).count("no spend") == len(MODELS) + 1
    assert "0.00×" not in roas


def test_a_channel_whose_spend_misses_days_is_not_priced_and_says_why() -> None:
    why = "spend covers 14 of 30 days (2026-11-17 to 2026-11-30): ROAS not computed"
    data = sample_report_data()
    credit, campaigns = data.credit.copy(), data.campaigns.copy()
    for frame in (credit, campaigns):
        google = frame["channel"] == "google_ads"
        frame["spend_complete"] = [not g for g in google]
        frame["roas_note"] = [why if g else None for g in google]
        frame.loc[google, "roas"] = math.nan
    data = replace(data, credit=credit, campaigns=campaigns)
    page = render_html(data)
    roas = page[page.index('id="roas"'):page.index('id="campaigns"')]
    assert "Not priced, spend does not cover the period" in roas and why in roas
    google_row = re.search(r"google_ads</span></td>(.*?)</tr>", roas, flags=re.S)
    assert google_row is not None
    assert google_row.group(1).count(_format.NOT_PRICED) == len(MODELS)
    assert {t["name"] for t in _specs(page)["spec-roas"]["data"]} == {
        "meta_ads", "email", "linkedin_ads"}  # not charted either
    campaign_rows = page[page.index('id="campaign-table"'):]
    assert f'title="{why}">{_format.NOT_PRICED}</td>' in campaign_rows
    markdown = summary_markdown(data)
    assert f"No ROAS for google_ads: {why}." in markdown


def test_campaigns_path_and_distribution_sections(html: str) -> None:
    campaigns = html[html.index('id="campaigns"'):html.index('id="journeys"')]
    assert "Brand – Search EU" in campaigns
    assert campaigns.count('data-model="linear"') <= 15
    assert '<option value="first_touch">First touch</option>' in campaigns
    paths = html[html.index('id="paths"'):html.index('id="changes"')]
    assert paths.count('<span class="arrow">→</span>') == 9  # touches minus one, summed
    assert "190.0" in paths and "14.8%" in paths
    specs = _specs(html)
    assert specs["spec-path-lengths"]["data"][0]["y"][0] == 402
    assert specs["spec-ttc"]["data"][0]["x"][0] == "same day"
    assert "2.6 touches per converting journey on average" in html


def test_changes_since_last_run(html: str) -> None:
    changes = html[html.index('id="changes"'):html.index('id="notes"')]
    assert "compared with the run of 2026-12-01 06:00 UTC" in changes
    assert "gone" in changes  # tiktok_ads was in the last run only
    assert "First run" not in changes
    bars = _specs(html)["spec-changes"]["data"][0]
    assert 0 < len(bars["x"]) <= 12
    magnitudes = [abs(x) for x in reversed(bars["x"])]
    assert magnitudes == sorted(magnitudes, reverse=True), "biggest move first (on top)"
    assert re.search(r"[+-]\d[\d,]*\.\d", changes)


def test_first_run_message_when_there_is_no_previous_run() -> None:
    html = render_html(sample_report_data(first_run=True))
    changes = html[html.index('id="changes"'):html.index('id="notes"')]
    assert "First run" in changes
    assert "spec-changes" not in html
    assert "vs last run" not in html


def test_notes_push_back_and_legend(html: str) -> None:
    assert "37 conversions had no touchpoint in the lookback window" in html
    assert "1,101" in html  # meta_ads sent
    assert 'class="n bad">15<' in html  # rejected rows stand out
    for model in MODELS:
        assert f"<code>{model}</code>" in html
    assert "Classic Shapley values from conversion rates" in html


def test_skipped_model_is_listed_in_the_legend() -> None:
    data = sample_report_data()
    data = replace(data, credit=data.credit[data.credit["model"] != "shapley_coalition"],
                   notes=["shapley_coalition skipped: 17 channels, the limit is 12."])
    html = render_html(data)
    legend = html[html.index('id="models"'):]
    assert "<code>shapley_coalition</code>" in legend
    assert "no results in this run" in legend
    assert len(_specs(html)["spec-credit"]["data"][0]["x"]) == len(MODELS) - 1


def test_chart_specs_are_valid_plotly_figures(html: str) -> None:
    go = pytest.importorskip("plotly.graph_objects")
    for key, spec in _specs(html).items():
        go.Figure(data=spec["data"], layout=spec["layout"])  # raises on an invalid property
        assert spec["config"]["displaylogo"] is False, key


# --------------------------------------------------------------------------- safety


def test_hostile_text_is_escaped_everywhere() -> None:
    html = render_html(_hostile_data())
    assert HOSTILE not in html
    assert "<script>alert" not in html.lower()
    assert ESCAPED in html
    assert html.count(ESCAPED) >= 6
    # JSON specs cannot close their script element.
    for _, text in re.findall(r'<script type="application/json" id="(spec-[\w-]+)">(.*?)</script>',
                              html, flags=re.S):
        assert "<" not in text and ">" not in text


def test_hostile_campaign_name_is_escaped(html: str) -> None:
    assert HOSTILE_CAMPAIGN not in html
    assert ESCAPED in html


def test_no_network_resources(html: str) -> None:
    srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", html, flags=re.I)
    assert srcs == [PLOTLY_JS]
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//",
                         html, flags=re.I)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html


# --------------------------------------------------------------------------- empty data


def test_empty_frames_render_no_data_messages(tmp_path: Path) -> None:
    path = render_attribution_report(empty_report_data(), tmp_path, file_name="empty.html")
    html = path.read_text(encoding="utf-8")
    for section in SECTION_IDS:
        assert f'id="{section}"' in html
    assert html.count("No data") >= 6
    assert "First run" in html
    assert 'data-charts-expected="0"' in html
    assert _specs(html) == {}
    assert "nan" not in re.sub(r"<[^>]+>", " ", html).lower().split()


def test_empty_frames_with_columns_and_no_spend_anywhere() -> None:
    data = sample_report_data()
    credit = data.credit.assign(spend=math.nan, roas=math.nan)
    assert data.previous is not None
    html = render_html(replace(
        data, credit=credit, campaigns=data.campaigns.iloc[0:0],
        top_paths=data.top_paths.iloc[0:0], previous=data.previous.iloc[0:0],
        totals={**data.totals, "spend": 0.0}))
    assert "No channel had spend in this period" in html
    assert "spec-roas" not in html
    assert "No data: no campaign-level credit" in html
    assert "No data: no converting paths" in html
    # An empty previous frame is a previous run with nothing in it: every model is new.
    changes = html[html.index('id="changes"'):]
    assert "New in this run (nothing to compare with): First touch" in changes
    assert "nothing to compare yet" in changes and "No change" not in changes


def test_models_run_only_once_are_named_not_charted_as_moves() -> None:
    data = sample_report_data()
    assert data.previous is not None
    previous = data.credit[["model", "channel", "conversions", "value"]]
    previous = previous[previous["model"] != "linear"]  # linear is new this run
    gone = previous[previous["model"] == "first_touch"].assign(model="last_touch_old")
    html = render_html(replace(data, previous=pd.concat([previous, gone])))
    changes = html[html.index('id="changes"'):html.index('id="notes"')]
    assert "New in this run (nothing to compare with): Linear." in changes
    assert "Run last time but not this time: Last touch old." in changes
    assert "No change" in changes  # the models both runs have credit the same
    assert '<span class="tag new">' not in changes and "spec-changes" not in changes


def test_previous_run_identical_says_no_change() -> None:
    data = sample_report_data()
    html = render_html(replace(data, previous=data.credit[["model", "channel", "conversions",
                                                           "value"]]))
    assert "No change" in html
    assert "spec-changes" not in html


def test_duplicate_credit_rows_are_summed() -> None:
    data = sample_report_data()
    credit = data.credit[data.credit["model"] == "linear"]
    halves = pd.concat([credit.assign(conversions=credit["conversions"] / 2,
                                      value=credit["value"] / 2, roas=credit["roas"] / 2)] * 2)
    html = render_html(replace(data, credit=halves, models=["linear"]))
    google = credit[credit["channel"] == "google_ads"].iloc[0]
    assert f"{google['conversions']:,.1f}" in html
    assert f"{google['roas']:,.2f}×" in html


def test_missing_columns_raise_a_clear_error() -> None:
    data = replace(sample_report_data(), credit=pd.DataFrame({"model": ["linear"]}))
    with pytest.raises(ReportDataError, match="credit: missing column"):
        render_html(data)


# --------------------------------------------------------------------------- markdown


def test_summary_markdown_content(tmp_path: Path) -> None:
    data = sample_report_data()
    path = render_attribution_report(data, tmp_path)
    md = summary_markdown(data, path)
    assert md.startswith("# Attribution — November 2026")
    assert "**Lookback window:** 30-day lookback" in md
    assert "| 1,284.0 | EUR " in md
    assert "EUR 39,400.00" in md
    header = next(line for line in md.splitlines() if line.startswith("| Channel |"))
    assert header.count("|") == len(MODELS) + 2
    google = next(line for line in md.splitlines() if line.startswith("| google_ads |"))
    assert re.search(r"\d\.\d{2}×\)", google), "ROAS in brackets"
    organic = next(line for line in md.splitlines() if line.startswith("| organic |"))
    assert "×" not in organic
    assert "## Since the last run" in md
    moves = [line for line in md.splitlines() if line.startswith("- **")]
    assert 1 <= len(moves) <= 5
    assert "37 conversions had no touchpoint" in md
    assert "| meta_ads | 1,120 | 1,101 | 0 | 4 | 15 |" in md
    assert path.as_uri() in md and str(path) in md


def test_summary_markdown_first_run_empty_and_hostile() -> None:
    md = summary_markdown(sample_report_data(first_run=True))
    assert "First run" in md
    assert "## Report" not in md
    empty = summary_markdown(empty_report_data())
    assert "no data" in empty.lower()
    hostile = summary_markdown(_hostile_data())
    assert HOSTILE not in hostile
    assert "&lt;script&gt;" in hostile
    pipes = replace(sample_report_data(), notes=["a | b"])
    assert "a \\| b" in summary_markdown(pipes)


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(("model", "label"), [
    ("first_touch", "First touch"),
    ("last_non_direct", "Last non-direct"),
    ("time_decay_7d", "Time decay (7d half-life)"),
    ("position_based_0.4_0.4", "Position-based 40/20/40"),
    ("position_based_0.3_0.5", "Position-based 30/20/50"),
    ("markov_order_2", "Markov (order 2)"),
    ("shapley_ordered", "Shapley (ordered)"),
    ("my_custom_model", "My custom model"),
])
def test_model_labels(model: str, label: str) -> None:
    assert _format.model_label(model) == label


def test_number_formats() -> None:
    assert _format.num(1234.56) == "1,234.6"
    assert _format.money(1234567.891, "USD") == "USD 1,234,567.89"
    assert _format.money(math.nan, "USD") == "–"
    assert _format.roas(3.256) == "3.26×"
    assert _format.roas(math.nan) == "no spend"
    assert _format.pct(0.125) == "12.5%"
    assert _format.signed(12.34) == "+12.3"
    assert _format.signed(-0.01) == "0.0"
    assert _format.signed_money(-1200, "EUR") == "-EUR 1,200.00"
    assert _format.signed_pct(math.inf) == "–"
    assert _format.count(18584.6) == "18,585"


def test_channel_colours_are_fixed_for_known_and_distinct_for_unknown() -> None:
    from resources.platforms import channel_colours

    fixed = channel_colours()  # the platforms' declared colours
    channels = ["zeta", "google_ads", "alpha", "direct", "beta"]
    colours = _charts.channel_colours(channels, fixed)
    assert colours["google_ads"] == "#4285F4"  # connectors/google_ads/description.py
    assert colours["direct"] == "#8B95A5"
    assert len(set(colours.values())) == 5
    assert _charts.channel_colours(channels, fixed) == colours
    # a platform's declared colour wins over the report's own
    assert _charts.channel_colours(["direct"], {"direct": "#000000"}) == {"direct": "#000000"}
