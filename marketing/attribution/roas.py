"""Return on ad spend under each model: credited value against the spend that bought it.

Spend is the ad platforms' (``core.ad_performance_daily``, reporting currency) for the
attribution period. A channel is an ad platform when its name is one (``google_ads``,
``meta_ads``, ``linkedin_ads``); organic, direct, email and the like have no spend and no
ROAS (None, never 0 or infinity). A campaign is matched to spend by its unified id
(``google_ads:123``) when touches carried one, else by name on that platform (UTM campaign
names): campaigns that share a name on one platform share its spend.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

__all__ = ["CAMPAIGN_NONE", "SpendError", "campaign_spend", "channel_spend", "with_roas"]

CAMPAIGN_NONE = "(none)"
"""The campaign of touches that carried none."""


class SpendError(ValueError):
    """Spend rows that cannot be used (missing columns, negative amounts)."""


def _check(spend: pd.DataFrame) -> None:
    missing = [c for c in ("channel", "campaign_id", "campaign_name", "spend")
               if c not in spend.columns]
    if missing:
        raise SpendError(f"spend rows: missing columns {missing}")
    amounts = [Decimal(str(s)) for s in spend["spend"].tolist()]
    if any(not a.is_finite() or a < 0 for a in amounts):
        bad = next(i for i, a in enumerate(amounts) if not a.is_finite() or a < 0)
        raise SpendError(
            f"spend rows: {spend['channel'].iloc[bad]} {spend['campaign_id'].iloc[bad]} "
            f"has spend {amounts[bad]}"
        )


def channel_spend(spend: pd.DataFrame) -> dict[str, Decimal]:
    """Return total spend per channel from rows ``channel, campaign_id, campaign_name, spend``.

    Raises:
        SpendError: on missing columns or negative spend.

    """
    _check(spend)
    out: dict[str, Decimal] = {}
    for channel, amount in zip(spend["channel"], spend["spend"], strict=True):
        out[str(channel)] = out.get(str(channel), Decimal(0)) + Decimal(str(amount))
    return out


def campaign_spend(spend: pd.DataFrame, channel: str, campaign: str | None) -> Decimal:
    """Return the spend of one attributed campaign: matched by unified id, else by name.

    Raises:
        SpendError: on missing columns or negative spend.

    """
    _check(spend)
    if campaign is None or campaign == CAMPAIGN_NONE:
        return Decimal(0)
    rows = spend[spend["channel"] == channel]
    by_id = rows[rows["campaign_id"] == campaign]
    chosen = by_id if len(by_id) else rows[rows["campaign_name"] == campaign]
    return sum((Decimal(str(s)) for s in chosen["spend"]), Decimal(0))


def _roas(value: Decimal, spend: Decimal) -> float | None:
    return float(value / spend) if spend > 0 else None


def with_roas(credit: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Add ``spend`` and ``roas`` to credit rows (channel grain, or campaign grain).

    Args:
        credit: rows with ``channel``, ``value`` (and ``campaign`` for campaign grain, None
            or ``(none)`` where touches had no campaign), any other columns kept.
        spend: rows ``channel, campaign_id, campaign_name, spend`` for the period.

    Returns:
        A copy of ``credit`` with ``spend`` (Decimal, 0 where nothing was spent) and ``roas``
        (float, None where nothing was spent); campaigns without a name become ``(none)``.

    Raises:
        SpendError: on bad spend rows, or credit rows without ``channel``/``value``.

    """
    for column in ("channel", "value"):
        if column not in credit.columns:
            raise SpendError(f"credit rows: missing column {column!r}")
    out = credit.copy()
    if "campaign" in out.columns:
        out["campaign"] = [CAMPAIGN_NONE if c is None or (isinstance(c, float) and c != c)
                           else str(c) for c in out["campaign"]]
        memo: dict[tuple[str, str], Decimal] = {}
        amounts = []
        for channel, campaign in zip(out["channel"], out["campaign"], strict=True):
            key = (str(channel), str(campaign))
            if key not in memo:
                memo[key] = campaign_spend(spend, *key)
            amounts.append(memo[key])
    else:
        per_channel = channel_spend(spend)
        amounts = [per_channel.get(str(c), Decimal(0)) for c in out["channel"]]
    out["spend"] = pd.Series(amounts, index=out.index, dtype=object)
    out["roas"] = pd.Series(
        [_roas(Decimal(str(v)), s) for v, s in zip(out["value"], amounts, strict=True)],
        index=out.index, dtype=object,
    )
    return out
