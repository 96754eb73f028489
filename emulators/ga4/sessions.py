"""The population's web sessions as GA4 records them, with GA4's processing delay.

Every touch of a person that is not an ad *view* is a session on the person's property: its
traffic source (source, medium, campaign) and landing page come from the touch, and its
landing URL carries the touch's click id (``gclid``, ``fbclid``, ``li_fat_id``) and, for
tagged traffic, UTM parameters. A person's ``lead`` conversions are key events and their
``order`` conversions are revenue, both credited to the session at ``touch_index`` (a
conversion whose touch was an ad view had no session and is missing from GA4, as events of
visitors who refused consent are).

GA4 keeps processing a day for about two days: each session and each event becomes visible
``processing delay`` after it happened, a deterministic function of its id (most within hours,
the slowest after ``horizon_hours``). A report on a recent day therefore grows when it is
re-read later, which is what the connector's lookback window exists for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from urllib.parse import urlencode

from emulators.ga4.properties import Ga4Property, convert
from emulators.population import Person, Population, Touch, declared_channels
from emulators.traffic import AdChannel, Channel

__all__ = ["ChannelViews", "Ga4Event", "Ga4Session", "build_sessions", "channel_group",
           "declared_views", "processing_delay"]

DEFAULT_HORIZON_HOURS = 48.0
_CAMPAIGN_LABELS = {"organic_search": "(organic)", "direct": "(direct)"}


@dataclass(frozen=True)
class ChannelViews:
    """How GA4 sees each channel, per channel name (derived from the channels).

    Attributes:
        groups: channel -> its default channel group.
        utm_tagged: channels whose GA4 landing URLs carry UTM parameters: tagged traffic,
            except an auto-tagged ad platform's (GA4 reads its campaign from the click id).

    """

    groups: dict[str, str]
    utm_tagged: frozenset[str]

    @classmethod
    def of(cls, channels: Iterable[Channel]) -> ChannelViews:
        """Derive the maps from the market's channels."""
        channels = tuple(channels)
        return cls(
            groups={c.name: c.ga4_channel_group for c in channels},
            utm_tagged=frozenset(
                c.name for c in channels
                if c.utm_tagged and not (isinstance(c, AdChannel) and c.auto_tagged)
            ),
        )


@cache
def declared_views() -> ChannelViews:
    """:class:`ChannelViews` of the market's declared channels (resolved on first use)."""
    return ChannelViews.of(declared_channels())


def processing_delay(key: str, horizon_hours: float) -> timedelta:
    """How long after it happened GA4 shows an event (deterministic in ``key``).

    ``horizon_hours * u**3`` for a uniform ``u`` drawn from the key: half of the events show
    within ~6 h of a 48 h horizon, nine in ten within ~35 h, all within the horizon.
    """
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    return timedelta(hours=horizon_hours * u**3)


def channel_group(channel: str) -> str:
    """GA4's default channel group of a population channel."""
    return declared_views().groups.get(channel, "Unassigned")


@dataclass(frozen=True)
class Ga4Event:
    """A key event or a purchase credited to a session.

    Attributes:
        at: when it happened (UTC).
        visible_at: when GA4 shows it.
        key_event: whether it counts as a key event (a lead).
        revenue: revenue in the property's currency (orders), else 0.

    """

    at: datetime
    visible_at: datetime
    key_event: bool
    revenue: Decimal


@dataclass(frozen=True)
class Ga4Session:
    """One session of one person on one property.

    Attributes:
        property_id: the property.
        session_id: the population's session id.
        client_id: the GA client id (``_ga`` cookie) of the person.
        person_id: the population person (for tests; GA4 never shows it).
        start: session start (UTC).
        visible_at: when GA4 shows the session.
        channel: the population channel.
        source: session source.
        medium: session medium.
        campaign: session campaign name.
        landing_page: landing page path.
        query: the landing URL's query string (without ``?``; may be empty).
        click_id: the click id in the landing URL, if any.
        events: key events and purchases credited to the session.

    """

    property_id: str
    session_id: str
    client_id: str
    person_id: str
    start: datetime
    visible_at: datetime
    channel: str
    source: str
    medium: str
    campaign: str
    landing_page: str
    query: str
    click_id: str | None
    events: tuple[Ga4Event, ...]

    @property
    def landing_page_plus_query(self) -> str:
        """``landingPagePlusQueryString``."""
        return f"{self.landing_page}?{self.query}" if self.query else self.landing_page


def _query(touch: Touch) -> str:
    params: list[tuple[str, str]] = []
    if touch.channel in declared_views().utm_tagged:
        params += [
            ("utm_source", touch.source),
            ("utm_medium", touch.medium),
            ("utm_campaign", touch.campaign),
        ]
    if touch.click_id and touch.click_id_param:
        params.append((touch.click_id_param, touch.click_id))
    return urlencode(params)


def _sessions_of(
    person: Person, prop: Ga4Property, currency: str, horizon: float
) -> list[Ga4Session]:
    credited: dict[int, list[Ga4Event]] = {}
    for conversion in person.conversions:
        if conversion.kind not in ("lead", "order"):
            continue  # deals close offline: GA4 never sees them
        revenue = Decimal("0")
        if conversion.kind == "order":
            revenue = convert(conversion.value, conversion.currency or currency, prop.currency)
        event = Ga4Event(
            at=conversion.at,
            visible_at=conversion.at + processing_delay(f"event:{conversion.id}", horizon),
            key_event=conversion.kind == "lead",
            revenue=revenue,
        )
        credited.setdefault(conversion.touch_index, []).append(event)
    sessions: list[Ga4Session] = []
    for index, touch in enumerate(person.touches):
        if touch.kind == "view" or touch.session_id is None:
            continue
        sessions.append(
            Ga4Session(
                property_id=prop.id,
                session_id=touch.session_id,
                client_id=person.client_id,
                person_id=person.person_id,
                start=touch.at,
                visible_at=touch.at + processing_delay(f"session:{touch.session_id}", horizon),
                channel=touch.channel,
                source=touch.source,
                medium=touch.medium,
                campaign=_CAMPAIGN_LABELS.get(touch.channel, touch.campaign),
                landing_page=touch.landing_page,
                query=_query(touch),
                click_id=touch.click_id,
                events=tuple(credited.get(index, ())),
            )
        )
    return sessions


def build_sessions(
    population: Population,
    properties: tuple[Ga4Property, ...],
    horizon_hours: float = DEFAULT_HORIZON_HOURS,
) -> dict[str, list[Ga4Session]]:
    """Render every session of the population, per property id, ordered by start.

    Args:
        population: the people.
        properties: the properties; person ``i`` browses ``properties[i % len(properties)]``.
        horizon_hours: the slowest processing delay.

    """
    out: dict[str, list[Ga4Session]] = {p.id: [] for p in properties}
    for person in population:
        prop = properties[person.index % len(properties)]
        out[prop.id] += _sessions_of(person, prop, population.currency, horizon_hours)
    for sessions in out.values():
        sessions.sort(key=lambda s: (s.start, s.session_id))
    return out
