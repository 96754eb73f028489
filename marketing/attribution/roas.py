"""Return on ad spend under each model: credited value against the spend that bought it.

Spend is the ad platforms' (``core.ad_performance_daily``, reporting currency) for the
attribution period. A channel is an ad platform when its name is one (``google_ads``,
``meta_ads``, ``linkedin_ads``); organic, direct, email and the like have no spend and no
ROAS (None, never 0 or infinity). A campaign is matched to spend by its unified id
(``google_ads:123``) when touches carried one, else by name on that platform (UTM campaign
names): campaigns that share a name on one platform share its spend.

Spend is priced only where it covers the period: a first load reads each platform's own
lookback, so a platform may have 14 days of spend against 30 days of credit (its ROAS would
look twice what it is). With a :class:`SpendCoverage` (days of spend present per ad platform),
:func:`with_roas` marks each row ``spend_complete`` and leaves ``roas`` None with the reason in
``roas_note`` where a platform's spend misses days of the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

__all__ = ["CAMPAIGN_NONE", "ChannelCoverage", "SpendCoverage", "SpendError", "campaign_spend",
           "channel_spend", "with_roas"]

CAMPAIGN_NONE = "(none)"
"""The campaign of touches that carried none."""


class SpendError(ValueError):
    """Spend rows that cannot be used (missing columns, negative amounts)."""


@dataclass(frozen=True)
class ChannelCoverage:
    """Days of one ad platform's spend present in the period.

    Attributes:
        days: distinct days with spend rows inside the period.
        first: the first such day (None without any).
        last: the last such day (None without any).

    """

    days: int
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass(frozen=True)
class SpendCoverage:
    """Which days of the period each ad platform's spend covers.

    Attributes:
        period_start: first day of the period priced.
        period_end: last day of the period priced (inclusive).
        channels: per ad platform (channel name), its coverage; a channel not listed is not
            an ad platform (no spend, no ROAS, nothing to cover).

    """

    period_start: dt.date
    period_end: dt.date
    channels: Mapping[str, ChannelCoverage] = field(default_factory=dict)

    @property
    def period_days(self) -> int:
        """Days in the period."""
        return (self.period_end - self.period_start).days + 1

    def complete(self, channel: str) -> bool | None:
        """Whether ``channel``'s spend covers every day (None: not an ad platform)."""
        cov = self.channels.get(channel)
        return None if cov is None else cov.days >= self.period_days

    def note(self, channel: str) -> str | None:
        """Say why ``channel`` is not priced (None when it is complete or not an ad platform)."""
        cov = self.channels.get(channel)
        if cov is None or cov.days >= self.period_days:
            return None
        if cov.days == 0 or cov.first is None or cov.last is None:
            return (f"no spend loaded for {self.period_start} to {self.period_end}: ROAS "
                    "not computed")
        return (f"spend covers {cov.days} of {self.period_days} days ({cov.first} to "
                f"{cov.last}): ROAS not computed")


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


def with_roas(credit: pd.DataFrame, spend: pd.DataFrame,
              coverage: SpendCoverage | None = None) -> pd.DataFrame:
    """Add ``spend`` and ``roas`` (and, with ``coverage``, whether spend covers the period).

    Args:
        credit: rows with ``channel``, ``value`` (and ``campaign`` for campaign grain, None
            or ``(none)`` where touches had no campaign), any other columns kept.
        spend: rows ``channel, campaign_id, campaign_name, spend`` for the period.
        coverage: days of spend present per ad platform; None prices every row as before.

    Returns:
        A copy of ``credit`` with ``spend`` (Decimal, 0 where nothing was spent), ``roas``
        (float, None where nothing was spent or spend is incomplete), ``spend_days`` (days of
        the channel's spend in the period, None for a channel that is not an ad platform),
        ``period_days``, ``spend_complete`` (bool, None for a channel that is not an ad
        platform) and ``roas_note`` (why ROAS is missing for an ad platform, else None);
        campaigns without a name become ``(none)``. The last four are None without
        ``coverage``.

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
    channels = [str(c) for c in out["channel"]]
    complete = [None if coverage is None else coverage.complete(c) for c in channels]
    out["spend"] = pd.Series(amounts, index=out.index, dtype=object)
    out["roas"] = pd.Series(
        [None if ok is False else _roas(Decimal(str(v)), s)
         for v, s, ok in zip(out["value"], amounts, complete, strict=True)],
        index=out.index, dtype=object,
    )
    cov = coverage
    out["spend_days"] = pd.Series(
        [None if cov is None or c not in cov.channels else cov.channels[c].days
         for c in channels], index=out.index, dtype=object)
    out["period_days"] = pd.Series(
        [None if cov is None else cov.period_days for _ in channels], index=out.index,
        dtype=object)
    out["spend_complete"] = pd.Series(complete, index=out.index, dtype=object)
    out["roas_note"] = pd.Series(
        [None if cov is None else _note(cov, c, s) for c, s in zip(channels, amounts,
                                                                     strict=True)],
        index=out.index, dtype=object)
    return out


def _note(coverage: SpendCoverage, channel: str, spend: Decimal) -> str | None:
    """Why an ad platform's row has no ROAS (None where it has one or is not an ad platform)."""
    missing = coverage.note(channel)
    if missing is not None:
        return missing
    if coverage.complete(channel) and spend <= 0:
        return "no spend in the period"
    return None
