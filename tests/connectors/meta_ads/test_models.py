from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors.meta_ads.client import _insight_row
from connectors.meta_ads.models import (
    GraphAccount,
    GraphAction,
    GraphAd,
    GraphCampaign,
    GraphInsight,
    InsightDailyRow,
)
from connectors.streams import AccountInfo

INSIGHT = {
    "account_id": "1001",
    "account_currency": "EUR",
    "campaign_id": "23801",
    "adset_id": "23802",
    "ad_id": "23803",
    "date_start": "2026-11-05",
    "date_stop": "2026-11-05",
    "spend": "12.34",
    "impressions": "1000",
    "clicks": "15",
    "actions": [
        {"action_type": "link_click", "value": "15"},
        {"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "omni_purchase", "value": "3"},
    ],
    "action_values": [{"action_type": "purchase", "value": "120.50"}],
}


def test_insight_strings_are_parsed_at_the_edge():
    row = GraphInsight.model_validate(INSIGHT)
    assert row.spend == Decimal("12.34") and row.impressions == 1000 and row.clicks == 15
    assert GraphInsight.total(row.actions, ["purchase"]) == Decimal(3)
    assert GraphInsight.total(row.action_values, ["purchase"]) == Decimal("120.50")
    assert GraphInsight.total(row.actions, ["purchase", "omni_purchase"]) == Decimal(6)


@pytest.mark.parametrize(
    "change",
    [
        {"spend": "12,34x"},
        {"spend": "-1.00"},
        {"spend": "NaN"},
        {"impressions": "12.5"},
        {"impressions": 12.0},
        {"clicks": "-3"},
        {"ad_id": None},
        {"ad_id": "abc"},
        {"date_stop": "2026-11-06"},
        {"actions": [{"action_type": "purchase", "value": "lots"}]},
    ],
)
def test_invalid_insights_are_rejected(change):
    with pytest.raises(ValidationError):
        GraphInsight.model_validate({**INSIGHT, **change})


def test_actions_keep_their_attribution_window_values():
    entry = GraphAction.model_validate(
        {"action_type": "purchase", "value": "15.00", "7d_click": "12.00", "1d_view": "3.00",
         "unrelated": "x"})
    assert entry.value == Decimal("15.00")
    assert entry.windows == {"7d_click": Decimal("12.00"), "1d_view": Decimal("3.00")}
    assert GraphAction.model_validate({"action_type": "purchase", "value": "1"}).windows == {}
    with pytest.raises(ValidationError):
        GraphAction.model_validate({"action_type": "purchase", "value": "1", "1d_view": "-1"})


WINDOWED = {
    **INSIGHT,
    "actions": [
        {"action_type": "link_click", "value": "15", "7d_click": "15", "1d_view": "0"},
        {"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "omni_purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
    ],
    "action_values": [
        {"action_type": "purchase", "value": "15.00", "7d_click": "12.00", "1d_view": "3.00"},
        {"action_type": "omni_purchase", "value": "15.00", "7d_click": "12.00",
         "1d_view": "3.00"},
    ],
}
ACCOUNT = AccountInfo("act_1001", "A", "EUR", "Europe/Berlin")


def _row(raw, windows=("7d_click", "1d_view"), action_types=("purchase",)):
    return _insight_row(ACCOUNT, action_types, windows)(raw).model_dump()


def test_insight_row_fills_the_view_through_part_from_the_view_windows():
    row = _row(WINDOWED)
    assert row["conversion_value"] == Decimal("15.00") and row["conversions"] == 3
    assert row["view_conversion_value"] == Decimal("3.00")
    assert row["view_conversions"] == Decimal(1)
    # only the wanted action types count (omni_purchase repeats the purchase)
    both = _row(WINDOWED, action_types=("purchase", "omni_purchase"))
    assert both["view_conversion_value"] == Decimal("6.00")


def test_view_through_part_is_unknown_without_window_keys_and_zero_without_conversions():
    plain = _row(INSIGHT)  # its purchase value carries no view key, its count does
    assert plain["view_conversion_value"] is None and plain["view_conversions"] == 1
    clicks_only = _row(WINDOWED, windows=("7d_click",))  # no view window asked for
    assert clicks_only["view_conversion_value"] is None
    nothing = _row({**WINDOWED, "actions": None, "action_values": None})
    assert nothing["view_conversion_value"] == 0 and nothing["view_conversions"] == 0


def test_nested_view_windows_are_not_counted_twice():
    raw = {**WINDOWED, "action_values": [
        {"action_type": "purchase", "value": "20.00", "7d_click": "12.00", "1d_view": "3.00",
         "7d_view": "8.00"}]}
    assert _row(raw, windows=("7d_click", "1d_view", "7d_view"))["view_conversion_value"] == 8


def test_missing_optional_lists_are_empty():
    raw = {k: v for k, v in INSIGHT.items() if k not in ("actions", "action_values")}
    row = GraphInsight.model_validate({**raw, "actions": None})
    assert row.actions == [] and row.action_values == []


def test_objects_parse_graph_times_and_budgets():
    c = GraphCampaign.model_validate(
        {
            "id": "1",
            "name": "C",
            "status": "ACTIVE",
            "daily_budget": "5000",
            "lifetime_budget": "0",
            "created_time": "2026-01-05T10:00:00-0500",
            "updated_time": "2026-01-06T10:00:00+0000",
        }
    )
    assert c.daily_budget == 5000 and c.lifetime_budget is None
    assert c.created_time == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    ad = GraphAd.model_validate(
        {
            "id": "3",
            "campaign_id": "1",
            "adset_id": "2",
            "name": "A",
            "status": "PAUSED",
            "creative": {"id": "77"},
            "created_time": "2026-01-05T10:00:00+0000",
            "updated_time": "2026-01-05T10:00:00+0000",
        }
    )
    assert ad.creative_id == "77"
    with pytest.raises(ValidationError):
        GraphCampaign.model_validate(
            {
                "id": "1",
                "name": "C",
                "status": "ACTIVE",
                "daily_budget": "12,3x",
                "created_time": "2026-01-05T10:00:00+0000",
                "updated_time": "2026-01-05T10:00:00+0000",
            }
        )
    with pytest.raises(ValidationError):  # naive timestamp
        GraphCampaign.model_validate(
            {
                "id": "1",
                "name": "C",
                "status": "ACTIVE",
                "created_time": "2026-01-05T10:00:00",
                "updated_time": "2026-01-05T10:00:00+0000",
            }
        )


def test_account_requires_known_zone_and_currency():
    good = {"id": "act_1", "name": "A", "currency": "USD", "timezone_name": "America/New_York"}
    GraphAccount.model_validate(good)
    with pytest.raises(ValidationError):
        GraphAccount.model_validate({**good, "timezone_name": "Mars/Base"})
    with pytest.raises(ValidationError):
        GraphAccount.model_validate({**good, "id": "1"})


def test_row_model_is_strict():
    row = {
        "account_id": "act_1001",
        "campaign_id": "1",
        "ad_set_id": "2",
        "ad_id": "3",
        "date": date(2026, 11, 5),
        "currency": "EUR",
        "spend": Decimal("1.00"),
        "impressions": 1,
        "clicks": 0,
        "conversions": Decimal(0),
        "conversion_value": Decimal(0),
        "attribution_setting": "7d_click_1d_view",
        "view_conversions": None,
        "view_conversion_value": Decimal(0),
    }
    assert InsightDailyRow.model_validate(row).model_dump() == row
    with pytest.raises(ValidationError):
        InsightDailyRow.model_validate({**row, "spend": "1.00"})
    with pytest.raises(ValidationError):
        InsightDailyRow.model_validate({**row, "extra": 1})
