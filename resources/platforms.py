"""The platforms this installation knows, as flows and tasks need them (names, limits, colours).

Derived from the connector packages' descriptions (``connectors/<platform>/description.py``),
so a new platform appears in the flows' parameters, the lookback limits, the charts and the
warehouse's click-id map by adding its folder. Flows depend on this module, never on
``connectors``.
"""

from __future__ import annotations

from connectors.description import Role, platforms
from warehouse.reference import AdChannel

__all__ = ["ad_channels", "channel_colours", "lookback_limits", "names"]


def names(*roles: Role) -> tuple[str, ...]:
    """Return the platforms of the given roles (all without), in their declared order."""
    return tuple(d.name for d in platforms(*roles))


def lookback_limits() -> dict[str, int]:
    """Return each readable platform's maximum lookback in days."""
    return {d.name: d.max_lookback_days for d in platforms("ads", "source")}


def channel_colours() -> dict[str, str]:
    """Return the chart colour of each platform's channel (its name where it has none)."""
    return {d.channel or d.name: d.chart_color for d in platforms() if d.chart_color}


def ad_channels() -> list[AdChannel]:
    """Return the ad platforms' channels as the warehouse's core models classify traffic."""
    return [
        AdChannel(
            channel=d.channel or d.name,
            click_id_param=d.click_id_param,
            click_id_on_organic=d.click_id_on_organic,
            traffic_sources=d.traffic_sources,
            paid_mediums=d.paid_mediums,
            rank=d.order,
        )
        for d in platforms("ads")
    ]
