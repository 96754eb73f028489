"""Builders shared by the attribution tests: journeys from compact literal descriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd

from marketing.attribution import Attribution, Journeys, journeys_from_touches

END = datetime(2026, 6, 1, 12, tzinfo=UTC)

# journey id -> ([(channel, campaign, days before conversion)], conversions, value)
Spec = dict[str, tuple[list[tuple[str, str | None, float]], float, str]]


def frames(spec: Spec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the touch table and outcome table for ``spec``."""
    touches = [
        {"journey_id": jid, "position": i, "channel": ch, "campaign": camp,
         "touched_at": END - timedelta(days=days)}
        for jid, (steps, _, _) in spec.items() for i, (ch, camp, days) in enumerate(steps)
    ]
    outcomes = [
        {"journey_id": jid, "converted": conv > 0, "conversions": conv, "value": Decimal(value),
         "converted_at": END}
        for jid, (_, conv, value) in spec.items()
    ]
    return pd.DataFrame(touches), pd.DataFrame(outcomes)


def build(spec: Spec) -> Journeys:
    """Journeys from ``spec``."""
    return journeys_from_touches(*frames(spec))


def credit(result: Attribution) -> dict[str, tuple[float, float]]:
    """``{channel: (conversions, value)}`` as floats."""
    return {c: (float(n), float(v)) for c, (n, v) in result.channel_credit().items()}


def campaign_credit(result: Attribution) -> dict[tuple[str, str | None], float]:
    """``{(channel, campaign): conversions}`` as floats."""
    return {(r.channel, r.campaign): float(r.conversions) for r in result.campaigns.itertuples()}


def assert_exact_totals(result: Attribution, journeys: Journeys) -> None:
    """Channel and campaign rows sum exactly to the journeys' totals."""
    assert result.total_conversions == journeys.total_conversions.quantize(Decimal("0.000001"))
    assert sum(result.channels["conversions"], Decimal(0)) == result.total_conversions
    assert sum(result.channels["value"], Decimal(0)) == result.total_value
    assert sum(result.campaigns["conversions"], Decimal(0)) == result.total_conversions
    assert sum(result.campaigns["value"], Decimal(0)) == result.total_value
