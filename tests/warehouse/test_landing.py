from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import warehouse
from warehouse.landing import landing_path


def test_landing_layout_and_roundtrip(tmp_path: Path) -> None:
    rows = [
        {
            "ad_id": "1",
            "date": date(2026, 3, 1),
            "spend": Decimal("1.25"),
            "clicks": 3,
            "updated_time": datetime(2026, 3, 1, tzinfo=UTC),
            "name": None,
        },
    ]
    lf = warehouse.write_landing(
        tmp_path,
        platform="meta_ads",
        stream="ad_insights_daily",
        account_id="act_1",
        run_id="run-1",
        rows=rows,
    )
    assert lf.path == tmp_path / "meta_ads/ad_insights_daily/act_1/run-1.parquet"
    assert lf.table == "meta_ads.ad_insights_daily"
    assert lf.rejects_path is None and lf.rows == 1
    back = pq.read_table(lf.path).to_pylist()
    assert back == rows
    assert sorted(p.name for p in lf.path.parent.iterdir()) == ["run-1.parquet"]  # no temp files


def test_landing_is_immutable(tmp_path: Path) -> None:
    kw = dict(platform="meta_ads", stream="campaigns", account_id="act_1", run_id="r")
    lf = warehouse.write_landing(tmp_path, rows=[{"campaign_id": "1"}], **kw)  # type: ignore[arg-type]
    before = lf.path.read_bytes()
    with pytest.raises(warehouse.LandingError, match="immutable"):
        warehouse.write_landing(tmp_path, rows=[{"campaign_id": "2"}], **kw)  # type: ignore[arg-type]
    assert lf.path.read_bytes() == before


def test_rejects_written_next_to_rows(tmp_path: Path) -> None:
    rejects = [{"stream": "ads", "raw_json": '{"id": 1}', "error": "bad", "location": "page 2"}]
    lf = warehouse.write_landing(
        tmp_path,
        platform="meta_ads",
        stream="ads",
        account_id="act_1",
        run_id="r",
        rows=[],
        rejects=rejects,
    )
    assert lf.rejects_path == tmp_path / "meta_ads/ads/act_1/r.rejects.jsonl"
    assert lf.rejects == 1 and lf.rows == 0
    assert '"error": "bad"' in lf.rejects_path.read_text()


def test_mixed_types_land_as_text(tmp_path: Path) -> None:
    lf = warehouse.write_landing(
        tmp_path,
        platform="meta_ads",
        stream="ads",
        account_id="a",
        run_id="r",
        rows=[{"x": 1}, {"x": "oops"}],
    )
    assert pq.read_table(lf.path).column("x").to_pylist() == ["1", "oops"]


@pytest.mark.parametrize("bad", ["../x", "a/b", "", ".."])
def test_unsafe_path_segments_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(warehouse.LandingError):
        landing_path(tmp_path, "meta_ads", "ads", bad, "r")
