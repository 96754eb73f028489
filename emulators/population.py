"""The people behind the market: visitors, leads and customers with coherent journeys.

The ad ``Market`` knows campaigns, spend and clicks; a ``Population`` knows who clicked. Each
person is a pure function of (seed, index), so person 812,345 of a million-person population
costs the same as person 3 and no list of people is ever built unless asked for. A person
has identifiers (email, phone, a GA4 client id), a first-touch time, and a journey:
touchpoints (ad clicks carrying their platform's click id, ad views, organic, email and
direct sessions) that may end in a form lead, a CRM deal and web orders.

The CRM (HubSpot), analytics (GA4) and commerce (Shopify) emulators all render the same
population, so a gclid in a GA4 session, the HubSpot contact that filled the form and the
Shopify order all belong to one person, and the ad ids in the touchpoints are real ids of
the market. Channels carry *planted* effects (``CHANNEL_LIFT``): a journey's conversion
chance rises with the channels it touched, so data-driven attribution has a known ranking
to recover. The channels are the ad platforms' (each declares its own,
``emulators.traffic.AdChannel``) and the non-ad ones defined here (organic search, email,
direct); ``ChannelMaps`` derives what the journeys are drawn from.

Time: a person exists once ``first_seen <= market.now()``; events after now are not yet
visible (they appear as the clock moves), and a contact's ``updated_at`` is its latest
visible event, so incremental syncs see records change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache, cached_property

from emulators import _rng
from emulators._lazy import LazyMap
from emulators.entities import Ad
from emulators.market import Market
from emulators.traffic import AdChannel, Channel, declared_ad_channels, in_market_order

__all__ = [
    "CHANNELS",
    "CHANNEL_LIFT",
    "DIRECT",
    "EMAIL",
    "NON_AD_CHANNELS",
    "ORGANIC_SEARCH",
    "SANDBOX_PEOPLE",
    "ChannelMaps",
    "Conversion",
    "Person",
    "Population",
    "Touch",
    "declared_channels",
    "declared_maps",
    "market_channels",
]

SANDBOX_PEOPLE = 5_000
"""Size of the sandbox population: every emulator served for one sandbox renders this many."""

# The non-ad channels; each ad platform declares its own (``TRAFFIC`` in its sandbox.py).
ORGANIC_SEARCH = Channel(
    name="organic_search", order=40, weight=0.18, lift=0.3,
    utm_source="google", utm_medium="organic", referrer="https://www.google.com/",
    shopify_source="google", shopify_source_type="SEO",
    shopify_source_description="Google search", ga4_channel_group="Organic Search",
)
EMAIL = Channel(
    name="email", order=50, weight=0.08, lift=0.6,
    utm_source="newsletter", utm_medium="email", utm_tagged=True,
    shopify_source="newsletter", shopify_source_type="NEWSLETTER",
    shopify_source_description="Email", ga4_channel_group="Email",
)
DIRECT = Channel(
    name="direct", order=60, weight=0.14, lift=0.0,
    utm_source="(direct)", utm_medium="(none)",
    shopify_source="direct", shopify_source_type="DIRECT",
    shopify_source_description="Direct", ga4_channel_group="Direct",
)
NON_AD_CHANNELS: tuple[Channel, ...] = (ORGANIC_SEARCH, EMAIL, DIRECT)


def market_channels(ads: Iterable[AdChannel]) -> tuple[Channel, ...]:
    """Return the channels of a market whose ad platforms are ``ads``, in market order."""
    return in_market_order([*ads, *NON_AD_CHANNELS])


@cache
def declared_channels() -> tuple[Channel, ...]:
    """Return the declared ad platforms' channels and the non-ad ones, in market order."""
    return market_channels(declared_ad_channels())


@dataclass(frozen=True)
class ChannelMaps:
    """What the population draws journeys from, per channel name (in market order).

    Attributes:
        channels: channel -> (platform of its ad touches or None, utm source, utm medium).
        lift: planted effect of touching the channel at least once, on the log-odds of
            converting.
        weights: the share of touches in each channel (the declared weights, normalised).
        click_id_param: ad platform -> the query parameter of its click ids.
        view_share: ad channel -> the share of its touches that are views, not clicks.

    """

    channels: dict[str, tuple[str | None, str, str]]
    lift: dict[str, float]
    weights: dict[str, float]
    click_id_param: dict[str, str]
    view_share: dict[str, float]

    @classmethod
    def of(cls, channels: Iterable[Channel]) -> ChannelMaps:
        """Derive the maps from channels (in market order: it orders the draws)."""
        ordered = in_market_order(channels)
        total = sum(c.weight for c in ordered)
        ads = [c for c in ordered if isinstance(c, AdChannel)]
        return cls(
            channels={c.name: (c.platform, c.utm_source, c.utm_medium) for c in ordered},
            lift={c.name: c.lift for c in ordered},
            weights={c.name: c.weight / total for c in ordered},
            click_id_param={c.platform: c.click_id_param for c in ads},
            view_share={c.name: c.view_share for c in ads},
        )


@cache
def declared_maps() -> ChannelMaps:
    """:class:`ChannelMaps` of the declared channels (resolved on first use)."""
    return ChannelMaps.of(declared_channels())


CHANNELS: Mapping[str, tuple[str | None, str, str]] = LazyMap(lambda: declared_maps().channels)
"""Channel -> (platform of its ad touches or None, utm source, utm medium), in market order."""
CHANNEL_LIFT: Mapping[str, float] = LazyMap(lambda: declared_maps().lift)
"""Planted effect of touching a channel at least once, on the log-odds of converting."""
_BASE_LOG_ODDS = -2.6
_FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai",
          "Lena", "Milo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara")
_LAST = ("Meyer", "Okafor", "Rossi", "Nguyen", "Silva", "Kowalski", "Dubois", "Haddad",
         "Jensen", "Moreau", "Tanaka", "Schmidt", "Larsen", "Novak", "Costa", "Berg")
_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
_PAGES = ("/", "/pricing", "/demo", "/blog/attribution", "/shop", "/shop/starter-kit")


@dataclass(frozen=True)
class Touch:
    """One touchpoint of a journey.

    Attributes:
        at: when it happened (UTC).
        channel: the name of one of the market's channels (``CHANNELS``).
        kind: ``click`` (an ad click or a session with a referrer), ``view`` (an ad
            impression without a click) or ``session`` (organic, email, direct).
        platform: the ad platform of ad touches, else None.
        campaign_id: the market campaign id of ad touches.
        ad_id: the market ad id of ad touches.
        click_id: the click id the landing URL carried (gclid, fbclid, li_fat_id).
        click_id_param: its query parameter name.
        source: utm_source.
        medium: utm_medium.
        campaign: utm_campaign (the campaign's name for ads, else a channel label).
        landing_page: the page the session started on.
        session_id: the GA4 session id (views have none).

    """

    at: datetime
    channel: str
    kind: str
    platform: str | None
    campaign_id: str | None
    ad_id: str | None
    click_id: str | None
    click_id_param: str | None
    source: str
    medium: str
    campaign: str
    landing_page: str
    session_id: str | None


@dataclass(frozen=True)
class Conversion:
    """A conversion at the end of (part of) a journey.

    Attributes:
        at: when it happened (UTC).
        kind: ``lead`` (web form), ``order`` (web shop) or ``deal`` (CRM deal, closed won
            offline).
        id: the platform's id for it (form submission, order or deal id).
        value: its value in ``currency`` (0 for leads).
        currency: ISO code.
        touch_index: index of the last touch before it (its session for web events).

    """

    at: datetime
    kind: str
    id: str
    value: Decimal
    currency: str
    touch_index: int


@dataclass(frozen=True)
class Person:
    """One person, derived from (seed, index) alone."""

    index: int
    person_id: str
    email: str
    phone: str | None
    first_name: str
    last_name: str
    client_id: str
    first_seen: datetime
    marketing_consent: bool
    touches: tuple[Touch, ...]
    conversions: tuple[Conversion, ...]

    def visible_touches(self, now: datetime) -> tuple[Touch, ...]:
        """Touches that happened by ``now``."""
        return tuple(t for t in self.touches if t.at <= now)

    def visible_conversions(self, now: datetime) -> tuple[Conversion, ...]:
        """Conversions that happened by ``now``."""
        return tuple(c for c in self.conversions if c.at <= now)

    def updated_at(self, now: datetime) -> datetime:
        """Time of the person's latest event visible at ``now`` (at least ``first_seen``)."""
        times = [t.at for t in self.touches if t.at <= now]
        times += [c.at for c in self.conversions if c.at <= now]
        return max([self.first_seen, *times])

    def lifecycle_stage(self, now: datetime) -> str:
        """HubSpot-style stage at ``now``: subscriber, lead, opportunity or customer."""
        kinds = {c.kind for c in self.visible_conversions(now)}
        if kinds & {"order", "deal"}:
            return "customer"
        if "lead" in kinds:
            return "lead"
        return "subscriber"


class Population:
    """``size`` people over a ``Market``'s history, rendered on demand.

    Args:
        market: the ad market (its ads, currencies and clock).
        size: number of people.
        seed: randomness of the people (default: the market's seed).
        currency: the shop's and CRM's currency.

    """

    def __init__(
        self, market: Market, size: int = 5_000, seed: int | None = None, currency: str = "EUR"
    ) -> None:
        if size < 0:
            raise ValueError("size must be >= 0")
        self.market = market
        self.size = size
        self.seed = market.seed if seed is None else seed
        self.currency = currency
        self._maps = declared_maps()
        self._cache: dict[int, Person] = {}

    @cached_property
    def _ads(self) -> dict[str, list[Ad]]:
        ads: dict[str, list[Ad]] = {}
        for platform in self.market.platforms:
            ads[platform] = [
                ad
                for account in self.market.accounts(platform)
                for ad in self.market.ads(platform, account.id)
            ]
        return ads

    @cached_property
    def _span_seconds(self) -> float:
        return (self.market.now() - self._start).total_seconds()

    @cached_property
    def _start(self) -> datetime:
        # Journeys begin within the last 180 days of market history, so they meet live ads.
        start = datetime.combine(self.market.history_start, datetime.min.time(),
                                 tzinfo=self.market.now().tzinfo)
        return max(start, self.market.now() - timedelta(days=180))

    def __len__(self) -> int:
        return self.size

    def person(self, index: int) -> Person:
        """Person number ``index`` (0-based)."""
        if not 0 <= index < self.size:
            raise IndexError(f"person {index} outside 0..{self.size - 1}")
        found = self._cache.get(index)
        if found is None:
            found = self._build(index)
            if len(self._cache) < 200_000:
                self._cache[index] = found
        return found

    def __iter__(self) -> Iterator[Person]:
        for index in range(self.size):
            yield self.person(index)

    def visible(self, now: datetime | None = None) -> Iterator[Person]:
        """People first seen by ``now`` (default: the market's now)."""
        now = now or self.market.now()
        for person in self:
            if person.first_seen <= now:
                yield person

    @staticmethod
    def index_of(person_id: str) -> int:
        """Return the index of a ``person_id`` (``P0000042`` -> 42)."""
        return int(person_id.removeprefix("P"))

    # ------------------------------------------------------------------ building
    def _build(self, index: int) -> Person:
        s, key = self.seed, ("person", index)
        u = _rng.uniforms(s, 8, *key)
        first = _FIRST[int(u[0] * len(_FIRST))]
        last = _LAST[int(u[1] * len(_LAST))]
        # Later people are denser toward the present (a growing company).
        first_seen = self._start + timedelta(seconds=self._span_seconds * math.sqrt(u[2]))
        email = f"{first}.{last}.{index}@{_DOMAINS[index % len(_DOMAINS)]}".lower()
        phone = f"+4930{index:08d}" if u[3] < 0.6 else None
        client_id = f"{int(u[4] * 1e9):09d}.{int(first_seen.timestamp())}"
        touches = self._touches(index, first_seen)
        conversions = self._conversions(index, touches)
        return Person(
            index=index,
            person_id=f"P{index:07d}",
            email=email,
            phone=phone,
            first_name=first,
            last_name=last,
            client_id=client_id,
            first_seen=first_seen,
            marketing_consent=u[5] < 0.8,
            touches=touches,
            conversions=conversions,
        )

    def _channel(self, u: float) -> str:
        total = 0.0
        for channel, weight in self._maps.weights.items():
            total += weight
            if u < total:
                return channel
        return DIRECT.name

    def _touches(self, index: int, first_seen: datetime) -> tuple[Touch, ...]:
        s, maps = self.seed, self._maps
        count = 1 + min(9, int(-math.log(max(_rng.uniform(s, "n", index), 1e-12)) * 2.2))
        touches: list[Touch] = []
        at = first_seen
        for k in range(count):
            u = _rng.uniforms(s, 6, "touch", index, k)
            if k:
                at += timedelta(hours=1 + u[0] * 24 * 9)  # 1 h .. 9 days apart
            channel = self._channel(u[1])
            platform, source, medium = maps.channels[channel]
            ads = self._ads.get(platform, []) if platform else []
            if platform and not ads:  # the market does not run this platform
                channel, (platform, source, medium) = DIRECT.name, maps.channels[DIRECT.name]
            ad = ads[int(u[2] * len(ads))] if platform else None
            view = platform is not None and u[3] < maps.view_share[channel]
            page = _PAGES[int(u[4] * len(_PAGES))]
            click_id = None
            if ad is not None and not view:
                digest = hashlib.blake2b(f"{s}:{index}:{k}".encode(), digest_size=12).hexdigest()
                click_id = f"{maps.click_id_param[ad.platform]}-{digest}"
            campaign = (
                self.market.entity(ad.platform, ad.campaign_id).name  # type: ignore[union-attr]
                if ad is not None
                else f"{channel}"
            )
            touches.append(
                Touch(
                    at=at,
                    channel=channel,
                    kind="view" if view else ("click" if ad is not None else "session"),
                    platform=platform,
                    campaign_id=ad.campaign_id if ad else None,
                    ad_id=ad.id if ad else None,
                    click_id=click_id,
                    click_id_param=(maps.click_id_param[ad.platform] if click_id and ad
                                    else None),
                    source=source,
                    medium=medium,
                    campaign=campaign,
                    landing_page=page,
                    session_id=None if view else f"{index}{k:02d}{int(at.timestamp())}",
                )
            )
        return tuple(touches)

    def _conversions(self, index: int, touches: tuple[Touch, ...]) -> tuple[Conversion, ...]:
        s = self.seed
        channels = {t.channel for t in touches}
        log_odds = _BASE_LOG_ODDS + sum(self._maps.lift[c] for c in channels)
        chance = 1.0 / (1.0 + math.exp(-log_odds))
        u = _rng.uniforms(s, 6, "convert", index)
        last = len(touches) - 1
        while last > 0 and touches[last].kind == "view":
            last -= 1
        if touches[last].kind == "view":
            return ()  # only ever saw ads: never visited, so nothing to convert on
        after = touches[last].at + timedelta(minutes=2 + u[5] * 40)
        found: list[Conversion] = []
        if u[0] < chance:
            found.append(Conversion(after, "lead", f"F{index:07d}", Decimal("0.00"),
                                    self.currency, last))
            if u[1] < 0.35:  # a sales-qualified lead that closes offline weeks later
                amount = Decimal(int(800 + u[2] * 9200)).quantize(Decimal("0.01"))
                found.append(Conversion(after + timedelta(days=7 + u[3] * 40), "deal",
                                        f"D{index:07d}", amount, self.currency, last))
        if _rng.uniform(s, "order", index) < chance * 0.8:
            value = Decimal(f"{19 + _rng.uniform(s, 'aov', index) * 180:.2f}")
            found.append(Conversion(after + timedelta(minutes=5), "order", f"O{index:07d}",
                                    value, self.currency, last))
        return tuple(sorted(found, key=lambda c: c.at))
