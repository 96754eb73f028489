from __future__ import annotations

import pytest

import warehouse
from tests.warehouse.conftest import campaign_rows, insight_rows, land


def test_staging_types_come_from_target(wh: warehouse.Warehouse) -> None:
    rows = insight_rows(n_ads=1, days=1)
    rows[0]["impressions"] = "1000"  # a string that casts
    rows[0].pop("attribution_setting")  # a missing column stages as NULL
    staged = warehouse.stage_batch(wh, land(wh, "r1", {"ad_insights_daily": rows}))
    st = staged.table("meta_ads.ad_insights_daily")
    types = dict(
        wh.fetchall(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'staging' AND table_name = ?",
            [st.staging_table.split(".", 1)[1]],
        )
    )
    assert types["spend"] == "DECIMAL(18,4)" and types["impressions"] == "BIGINT"
    assert types["date"] == "DATE" and types["_loaded_at"] == "TIMESTAMP WITH TIME ZONE"
    got = wh.fetchall(f"SELECT impressions, attribution_setting, _run_id FROM {st.staging_table}")
    assert got == [(1000, None, "r1")]


def test_cast_failure_names_table_column_and_samples(wh: warehouse.Warehouse) -> None:
    rows = campaign_rows(3)
    rows[1]["daily_budget"] = "lots"
    rows[2]["daily_budget"] = "many"
    batch = land(wh, "r1", {"campaigns": rows})
    with pytest.raises(warehouse.StagingError) as info:
        warehouse.stage_batch(wh, batch)
    msg = str(info.value)
    assert "meta_ads.campaigns.daily_budget" in msg and "BIGINT" in msg
    assert "lots" in msg and "many" in msg
    assert wh.fetchall(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging'"
    ) == [(0,)]


def test_empty_stream_stages_empty_table(wh: warehouse.Warehouse) -> None:
    staged = warehouse.stage_batch(wh, land(wh, "r1", {"ads": []}))
    assert staged.tables[0].rows == 0
