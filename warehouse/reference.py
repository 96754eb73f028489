"""Reference rows the core models read instead of naming platforms (``ref.ad_channels``).

The warehouse knows no platform: the caller hands it the ad platforms' declared channels
(``resources.platforms.ad_channels()``) and :func:`sync_ad_channels` makes the table say
exactly that, in one transaction, writing only when something changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warehouse.connection import Warehouse

__all__ = ["AdChannel", "sync_ad_channels"]


@dataclass(frozen=True)
class AdChannel:
    """One ad platform's channel as the core models classify traffic by it.

    Attributes:
        channel: the attribution channel (``google_ads``).
        click_id_param: the click id its ads add to landing URLs, if any.
        click_id_on_organic: the click id also rides on unpaid clicks.
        traffic_sources: ``LIKE`` patterns of the lower-case source of its paid traffic.
        paid_mediums: the lower-case mediums of its paid traffic.
        rank: which channel wins when two match (lower first).

    """

    channel: str
    click_id_param: str | None
    click_id_on_organic: bool
    traffic_sources: tuple[str, ...]
    paid_mediums: tuple[str, ...]
    rank: int


def sync_ad_channels(wh: Warehouse, channels: Sequence[AdChannel]) -> bool:
    """Make ``ref.ad_channels`` hold exactly `channels`; return whether it had to change."""
    wanted = sorted(
        (c.channel, c.click_id_param, c.click_id_on_organic, list(c.traffic_sources),
         list(c.paid_mediums), c.rank)
        for c in channels
    )
    have = sorted(
        (r[0], r[1], r[2], list(r[3]), list(r[4]), r[5])
        for r in wh.fetchall(
            "SELECT channel, click_id_param, click_id_on_organic, traffic_sources, "
            "paid_mediums, rank FROM ref.ad_channels")
    )
    if have == wanted:
        return False
    with wh.transaction(context="refresh ref.ad_channels") as con:
        con.execute("DELETE FROM ref.ad_channels")
        if wanted:
            con.executemany("INSERT INTO ref.ad_channels VALUES (?, ?, ?, ?, ?, ?)", wanted)
    return True
