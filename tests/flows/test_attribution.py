"""build_attribution_report on a real Prefect server over a hand-built warehouse.

Five people with journeys worked out by hand (one without touches, one who never converts),
spend on two ad platforms: the credit per model, the ROAS, the marts tables, the report file,
the push-back to the emulators and the artifacts the Prefect server recorded are all checked
against numbers derived by hand below.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.flows.attribution_data import END, START, build_warehouse, day

pytestmark = pytest.mark.xdist_group("prefect-flows")


@pytest.fixture
def report_env(sandbox_env):
    """A sandbox environment over the hand-built warehouse."""
    tmp_path = sandbox_env
    build_warehouse(tmp_path / "warehouse.duckdb")
    return tmp_path


def _credit(path: Path, model: str) -> dict[str, tuple[Decimal, Decimal, Decimal, float | None]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT channel, conversions, value, spend, roas "
            "FROM marts.attribution_channel_latest WHERE model = ? ORDER BY channel",
            [model]).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_the_report_credits_channels_by_hand_and_prices_them(report_env):
    from flows.attribution import build_attribution_report

    result = build_attribution_report(period_start=START, period_end=END,
                                      push_conversions=False)
    wh = report_env / "warehouse.duckdb"
    # E's deal has no touch: left out, and said so
    assert result.conversions == 3 and result.value == 1700
    assert any("1 conversions had no touch" in n for n in result.notes)
    assert result.journeys == 4 and result.converting_journeys == 3
    assert result.spend == 400  # the 999 after the period is not counted

    last = _credit(wh, "last_touch")
    assert {c: (float(v[0]), float(v[1])) for c, v in last.items() if v[0]} == {
        "direct": (1, 500), "google_ads": (1, 200), "meta_ads": (1, 1000)}
    lnd = _credit(wh, "last_non_direct")
    assert (float(lnd["meta_ads"][1]), float(lnd["google_ads"][1])) == (1500, 200)
    first = _credit(wh, "first_touch")
    assert float(first["google_ads"][1]) == 1200 and float(first["meta_ads"][1]) == 500
    # ROAS = credited value / the period's spend; no spend, no ROAS
    assert first["google_ads"][2] == Decimal("100") and first["google_ads"][3] == 12.0
    assert first["meta_ads"][3] == pytest.approx(500 / 300)
    assert first["direct"][3] is None and first["linkedin_ads"][2] == 0

    with duckdb.connect(str(wh), read_only=True) as con:
        sums = con.execute(
            "SELECT model, sum(conversions), sum(value) FROM marts.attribution_channel_latest "
            "GROUP BY model").fetchall()
        campaign_sums = con.execute(
            "SELECT model, sum(conversions), sum(value) FROM marts.attribution_campaign_latest "
            "GROUP BY model").fetchall()
        brand = con.execute(
            "SELECT spend, roas FROM marts.attribution_campaign_latest "
            "WHERE model = 'first_touch' AND campaign = 'Brand'").fetchone()
        run = con.execute("SELECT models, window_rule, report_path, conversions_without_touches "
                          "FROM marts.attribution_runs").fetchall()
    assert len(sums) == len(result.models) >= 9
    for _, conversions, value in [*sums, *campaign_sums]:
        assert conversions == Decimal(3) and value == Decimal(1700)  # exactly, every model
    assert brand == (Decimal("100"), 12.0)  # matched by name: the touches carry UTM names
    assert len(run) == 1 and run[0][3] == 1 and "90-day lookback" in run[0][1]
    report = Path(run[0][2])
    assert report == Path(result.report_path) and report.is_file()
    html = report.read_text()
    assert "90-day lookback" in html and "meta_ads" in html


def test_a_platform_with_14_days_of_spend_in_a_30_day_period_is_not_priced(report_env):
    # A first load of Google reads 14 days; the period prices 30 days of credit. Google's
    # spend covers 2026-09-17..30 only: its ROAS would be first-touch value 1200 / 40 = 30x
    # (instead of 12x). The marts, the report and the run say it is not priced, and why.
    from flows.attribution import build_attribution_report

    wh = report_env / "warehouse.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("DELETE FROM core.ad_performance_daily "
                    "WHERE platform = 'google_ads' AND date < DATE '2026-09-17'")
    result = build_attribution_report(period_start=START, period_end=END,
                                      models=["first_touch"], push_conversions=False)
    why = "spend covers 14 of 30 days (2026-09-17 to 2026-09-30): ROAS not computed"
    with duckdb.connect(str(wh), read_only=True) as con:
        channels = {r[0]: r[1:] for r in con.execute(
            "SELECT channel, spend, spend_days, period_days, spend_complete, roas, roas_note "
            "FROM marts.attribution_channel_latest WHERE model = 'first_touch'").fetchall()}
        brand = con.execute(
            "SELECT spend, spend_days, spend_complete, roas, roas_note "
            "FROM marts.attribution_campaign_latest "
            "WHERE model = 'first_touch' AND campaign = 'Brand'").fetchone()
    assert channels["google_ads"] == (Decimal("40"), 14, 30, False, None, why)
    meta = channels["meta_ads"]
    assert meta[:4] == (Decimal("300"), 30, 30, True) and meta[4] == pytest.approx(500 / 300)
    assert meta[5] is None
    assert channels["linkedin_ads"][1:5] == (0, 30, False, None)
    assert channels["linkedin_ads"][5].startswith("no spend loaded for 2026-09-01 to 2026-09-30")
    assert channels["direct"][1:] == (None, 30, None, None, None)  # not an ad platform
    assert brand == (Decimal("40"), 14, False, None, why)
    assert f"ROAS left out for google_ads: {why}" in " ".join(result.notes)

    html = Path(result.report_path).read_text()
    assert "Not priced, spend does not cover the period" in html and why in html
    assert "30.00×" not in html  # the inflated ROAS is shown nowhere


def test_a_second_run_compares_with_the_first_and_the_latest_view_moves(report_env):
    from flows.attribution import build_attribution_report

    first = build_attribution_report(period_start=START, period_end=END, models=["linear"],
                                     push_conversions=False)
    second = build_attribution_report(period_start=START, period_end=END,
                                      models=["linear", "markov"], markov_order=1,
                                      push_conversions=False)
    assert first.run_id != second.run_id
    with duckdb.connect(str(report_env / "warehouse.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM marts.attribution_runs").fetchone()
        latest = con.execute(
            "SELECT DISTINCT run_id, model FROM marts.attribution_channel_latest ORDER BY model"
        ).fetchall()
    assert runs == (2,)
    assert latest == [(second.run_id, "linear"), (second.run_id, "markov_order_1")]
    assert "First run:" in Path(first.report_path).read_text()
    again = Path(second.report_path).read_text()
    assert "First run:" not in again and "compared with the run of" in again
    # the Markov model is new in the second run; linear credit (same journeys) did not move
    assert "New in this run (nothing to compare with): Markov" in again
    assert "No change: every model credits every channel the same" in again


def test_an_empty_period_fails_with_a_message_and_writes_nothing(report_env):
    from flows.attribution import build_attribution_report
    from marketing.attribution import AttributionInputError

    with pytest.raises(AttributionInputError, match="no journeys"):
        build_attribution_report(period_start=dt.date(2025, 1, 1),
                                 period_end=dt.date(2025, 1, 31), push_conversions=False)
    with duckdb.connect(str(report_env / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.attribution_runs").fetchone() == (0,)


def test_bad_parameters_name_the_parameter_before_any_work(report_env):
    from flows.attribution import build_attribution_report
    from flows.parameters import ParameterError

    with pytest.raises(ParameterError, match="period_start 2026-09-30 is after period_end"):
        build_attribution_report(period_start=END, period_end=START)
    with pytest.raises(ParameterError, match="acquisition_lookback_days 60 exceeds"):
        build_attribution_report(period_start=START, period_end=END, lookback_days=30,
                                 acquisition_lookback_days=60)
    with duckdb.connect(str(report_env / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.attribution_runs").fetchone() == (0,)


def test_the_run_page_shows_summary_link_credit_and_progress(report_env):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.attribution import build_attribution_report

    result = build_attribution_report(period_start=START, period_end=END,
                                      models=["first_touch", "shapley_simplified"],
                                      push_conversions=False)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(result.run_id)])))
    by_key = {a.key: a for a in artifacts if a.key}
    assert {"attribution-summary", "attribution-report", "attribution-credit",
            "attribution-progress"} <= set(by_key)
    assert by_key["attribution-progress"].data == 100.0
    assert Path(result.report_path).name in str(by_key["attribution-report"].data)
    assert "google_ads" in str(by_key["attribution-summary"].data)
    credit = str(by_key["attribution-credit"].data)
    assert "shapley_simplified" in credit and "12.00" in credit  # first-touch ROAS of google


def test_offline_deals_are_pushed_once_and_a_rerun_uploads_nothing(report_env):
    """The deals (not the shop order) go to Google; only those inside Meta's 7 days go to
    Meta; a second report run finds them in the store's ledger and sends nothing."""
    from emulators.google_data_manager import GoogleDataManagerEmulator
    from emulators.market import Market
    from emulators.meta_ads import MetaAdsEmulator
    from flows.attribution import build_attribution_report
    from resources.sandbox import use_sandbox_emulator

    market = Market(seed=3, today=day(14))  # deal-e (day 12) is inside Meta's 7 days
    google, meta = GoogleDataManagerEmulator(market), MetaAdsEmulator(market)

    def counts():
        return (len(google.ingest_log.received_events), len(google.ingest_log.counted_events),
                len(meta.capi.received_events), len(meta.capi.counted_events))

    with use_sandbox_emulator("meta_ads", meta), \
            use_sandbox_emulator("google_data_manager", google):
        first = build_attribution_report(period_start=START, period_end=day(13).date(),
                                         models=["linear"])
        assert counts() == (3, 3, 1, 1)
        assert {e.transaction_id for e in google.ingest_log.counted_events} == {
            "deal-a", "deal-b", "deal-e"}
        assert {e.event_id for e in meta.capi.counted_events} == {"deal-e"}
        assert first.pushed["google_data_manager"]["sent"] == 3
        assert first.pushed["meta_capi"]["skipped"] == 2  # older than Meta's 7 days

        second = build_attribution_report(period_start=START, period_end=day(13).date(),
                                          models=["linear"])
        assert counts() == (3, 3, 1, 1)  # nothing received twice
        assert second.pushed["google_data_manager"] == {
            **first.pushed["google_data_manager"], "sent": 0, "already_sent": 3}
    html = Path(second.report_path).read_text()
    assert "google_data_manager" in html
