"""A seeded, deterministic market: one company advertising on several platforms.

The market owns, per platform, the accounts, campaigns, ad groups (Meta ad sets) and ads,
their mutable state (daily budgets and statuses, with history so that a change applies
from the day it was made) and the hidden response curves (``emulators.curves``). Results
are a pure function of (seed, ad, day, state), computed on demand, so any date range is
cheap. Platform emulators render the market in their own wire format; tests compare what
reached the warehouse with ``Market.truth``.

Days are the account's local days. The clock is injectable (default: real UTC now). A day's
spend accrues evenly through the local day at the rate of the budget in force: a budget
changed at 14:00 spends the old rate until then and the new one after (spend already
reported never shrinks), so an hourly pacing check sees what it would see on a platform.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from emulators import _rng, curves, steering
from emulators.curves import DEFAULT_WINDOWS, AdCurve, CampaignCurve, Delivery
from emulators.entities import (
    LAYOUTS,
    Account,
    Ad,
    AdGroup,
    Campaign,
    DayTruth,
    Entity,
    PlatformLayout,
)

__all__ = [
    "ACTIVE",
    "LAYOUTS",
    "PAUSED",
    "Account",
    "Ad",
    "AdGroup",
    "Campaign",
    "DayTruth",
    "Entity",
    "Market",
    "PlatformLayout",
    "utcnow",
]

Clock = Callable[[], datetime]

ACTIVE = "ACTIVE"
PAUSED = "PAUSED"
STATUSES = (ACTIVE, PAUSED)

# (currency, time zone, hidden value of one currency unit in market units ~ USD)
_LOCALES: tuple[tuple[str, str, float], ...] = (
    ("USD", "America/New_York", 1.0),
    ("EUR", "Europe/Berlin", 1.08),
    ("GBP", "Europe/London", 1.27),
    ("CAD", "America/Toronto", 0.73),
    ("AUD", "Australia/Sydney", 0.66),
    ("USD", "America/Los_Angeles", 1.0),
    ("EUR", "Europe/Paris", 1.08),
    ("SEK", "Europe/Stockholm", 0.095),
    ("CHF", "Europe/Zurich", 1.12),
    ("NZD", "Pacific/Auckland", 0.6),
    ("BRL", "America/Sao_Paulo", 0.18),
    ("SGD", "Asia/Singapore", 0.74),
    ("MXN", "America/Mexico_City", 0.055),
)
_THEMES = ("Prospecting", "Retargeting", "Catalog", "Brand", "Lookalike", "Seasonal")
_OBJECTIVES = ("sales", "sales", "sales", "traffic", "awareness")
_AUDIENCES = ("Broad 18-65", "Women 25-44", "Men 25-44", "Lookalike 1%", "Site visitors 30d")
_FORMATS = ("Video", "Carousel", "Single image", "Collection")


def utcnow() -> datetime:
    """Real UTC now (the default clock)."""
    return datetime.now(UTC)


def _day_fraction(local: datetime) -> float:
    """Share of ``local``'s own day gone by at ``local``, in [0, 1)."""
    return (local - datetime.combine(local.date(), time(), local.tzinfo)).seconds / 86400


def _fixed_clock(moment: datetime) -> Clock:
    return lambda: moment


class Market:
    """One company advertising on several platforms, seeded and deterministic.

    Args:
        seed: everything (entities, curves, noise) derives from it.
        today: fixes the clock at noon UTC of this date (or at this datetime).
        clock: a callable returning an aware UTC datetime; overrides ``today``.
        accounts_per_platform: number of ad accounts per platform (3 by default).
        history_days: days of history before today (delivery starts no earlier).
        platforms: platforms to populate (must be in ``LAYOUTS``).
        scenario: hidden steering behaviours (``emulators.steering``); None (default)
            keeps every seeded number as without it.

    """

    def __init__(
        self,
        seed: int = 0,
        today: date | datetime | None = None,
        *,
        clock: Clock | None = None,
        accounts_per_platform: int = 3,
        history_days: int = 400,
        platforms: Sequence[str] = ("meta_ads",),
        scenario: steering.SteeringScenario | None = None,
    ) -> None:
        self.seed = seed
        if clock is None:
            if isinstance(today, datetime):
                clock = _fixed_clock(today.astimezone(UTC))
            elif isinstance(today, date):
                clock = _fixed_clock(datetime.combine(today, time(12), tzinfo=UTC))
            else:
                clock = utcnow
        self.clock: Clock = clock
        self.history_start: date = self.clock().date() - timedelta(days=history_days)
        self.platforms = tuple(platforms)
        self._lock = threading.RLock()
        self._accounts: dict[str, list[Account]] = {}
        self._entities: dict[tuple[str, str], Entity] = {}
        self._children: dict[tuple[str, str], list[str]] = {}
        self._fx: dict[tuple[str, str], float] = {}
        self._campaign_curves: dict[tuple[str, str], CampaignCurve] = {}
        self._ad_curves: dict[tuple[str, str], AdCurve] = {}
        self._budgets: dict[tuple[str, str], list[tuple[date, int]]] = {}
        # Budget changes made during a day: (platform, id) -> day -> [(fraction, minor)].
        self._intraday: dict[tuple[str, str], dict[date, list[tuple[float, int]]]] = {}
        self._statuses: dict[tuple[str, str], list[tuple[date, str]]] = {}
        self._updated: dict[tuple[str, str], datetime] = {}
        self._spend_cache: dict[tuple[str, str, date], Decimal] = {}
        self._ads_under: dict[tuple[str, str], list[Ad]] = {}
        self._share_cache: dict[tuple[str, str, date], dict[str, tuple[float, float]]] = {}
        self.version = 0  # bumped by every state change (lets callers cache results)
        for platform in self.platforms:
            self._populate(platform, accounts_per_platform)
        self.scenario = scenario
        self.inflated_campaign: tuple[str, str] | None = (
            None if scenario is None else steering.pick_inflated_campaign(self, scenario)
        )

    # ----------------------------------------------------------------- building
    def _populate(self, platform: str, count: int) -> None:
        layout = LAYOUTS[platform]
        self._accounts[platform] = []
        for i in range(count):
            number = str(layout.first_account + i)
            currency, tz, fx = _LOCALES[i % len(_LOCALES)]
            tz = layout.timezone or tz
            account = Account(
                platform=platform,
                id=f"{layout.account_prefix}{number}",
                number=number,
                name=f"Northwind {currency} {i + 1}",
                currency=currency,
                timezone=tz,
                created_time=self._stamp(self.history_start - timedelta(days=30), tz),
            )
            self._accounts[platform].append(account)
            self._entities[(platform, account.id)] = account
            self._fx[(platform, account.id)] = fx
            self._populate_account(platform, layout, account, fx)

    def _populate_account(
        self, platform: str, layout: PlatformLayout, account: Account, fx: float
    ) -> None:
        seq = 0
        s = self.seed
        latest_start = max(0, (self.clock().date() - self.history_start).days - 45)

        def next_id() -> str:
            nonlocal seq
            seq += 1
            return f"{layout.id_prefix}{int(account.number):05d}{seq:06d}"

        self._children[(platform, account.id)] = []
        for c in range(_rng.integer(s, 2, 4, platform, account.id, "campaigns")):
            key = (platform, account.id, "c", c)
            cid = next_id()
            start = self.history_start + timedelta(
                days=min(latest_start, _rng.integer(s, 0, 240, *key, "start"))
            )
            level = "campaign" if _rng.uniform(s, *key, "cbo") < 0.4 else "ad_group"
            theme = _THEMES[_rng.integer(s, 0, len(_THEMES) - 1, *key, "theme")]
            objective = _OBJECTIVES[_rng.integer(s, 0, len(_OBJECTIVES) - 1, *key, "obj")]
            campaign = Campaign(
                platform, cid, account.id, f"{theme} {c + 1} - {objective}", objective,
                level, start, self._stamp(start, account.timezone),
            )
            self._register(campaign, account.id)
            self._campaign_curves[(platform, cid)] = CampaignCurve(
                cpa_k=_rng.between(s, 15.0, 50.0, *key, "cpa"),
                half_saturation=_rng.between(s, 30.0, 150.0, *key, "k"),
                hill=_rng.between(s, 0.7, 1.2, *key, "hill"),
                aov=_rng.between(s, 45.0, 160.0, *key, "aov"),
                view_share=_rng.between(s, 0.05, 0.25, *key, "view"),
            )
            self._init_state(
                campaign.id, platform, start, key, fx, level == "campaign", 0.3 * (c > 0)
            )
            for g in range(_rng.integer(s, 1, 3, *key, "groups")):
                gkey = (*key, "g", g)
                gstart = start + timedelta(days=_rng.integer(s, 0, 7, *gkey, "start"))
                audience = _AUDIENCES[_rng.integer(s, 0, len(_AUDIENCES) - 1, *gkey, "aud")]
                group = AdGroup(
                    platform, next_id(), account.id, cid, f"{audience} #{g + 1}", gstart,
                    self._stamp(gstart, account.timezone),
                )
                self._register(group, cid)
                self._init_state(
                    group.id, platform, gstart, gkey, fx, level == "ad_group", 0.15 * (g > 0)
                )
                for a in range(_rng.integer(s, 1, 3, *gkey, "ads")):
                    akey = (*gkey, "a", a)
                    astart = gstart + timedelta(days=_rng.integer(s, 0, 5, *akey, "start"))
                    fmt = _FORMATS[_rng.integer(s, 0, len(_FORMATS) - 1, *akey, "fmt")]
                    ad = Ad(
                        platform, next_id(), account.id, cid, group.id,
                        f"{fmt} {chr(65 + a)}", astart, self._stamp(astart, account.timezone),
                    )
                    self._register(ad, group.id)
                    self._ad_curves[(platform, ad.id)] = AdCurve(
                        cpm=_rng.between(s, 6.0, 24.0, *akey, "cpm"),
                        ctr=_rng.between(s, 0.006, 0.03, *akey, "ctr"),
                        weight=_rng.between(s, 0.3, 1.0, *akey, "w"),
                    )
                    self._init_state(ad.id, platform, astart, akey, fx, False, 0.25 * (a > 0))

    def _register(self, entity: Entity, parent_id: str) -> None:
        self._entities[(entity.platform, entity.id)] = entity
        self._children.setdefault((entity.platform, parent_id), []).append(entity.id)
        self._children.setdefault((entity.platform, entity.id), [])
        self._updated[(entity.platform, entity.id)] = entity.created_time

    def _init_state(
        self,
        entity_id: str,
        platform: str,
        start: date,
        key: tuple[object, ...],
        fx: float,
        holds_budget: bool,
        pause_share: float,
    ) -> None:
        # The first child of each parent never pauses, so every account keeps delivering.
        s = self.seed
        self._statuses[(platform, entity_id)] = [(self.history_start, ACTIVE)]
        if _rng.uniform(s, *key, "paused") < pause_share:
            span = max(1, (self.clock().date() - start).days)
            paused_on = start + timedelta(days=_rng.integer(s, span // 3, span, *key, "pday"))
            self._statuses[(platform, entity_id)].append((paused_on, PAUSED))
        if holds_budget:
            usd = _rng.between(s, 30.0, 400.0, *key, "budget")
            minor = max(100, round(usd / fx)) * 100
            self._budgets[(platform, entity_id)] = [(self.history_start, minor)]

    @staticmethod
    def _stamp(day: date, tz: str) -> datetime:
        return datetime.combine(day, time(10), tzinfo=ZoneInfo(tz))

    # ------------------------------------------------------------------ lookups
    def accounts(self, platform: str) -> list[Account]:
        """Ad accounts of ``platform`` in id order."""
        return list(self._accounts[platform])

    def account(self, platform: str, account_id: str) -> Account | None:
        """One account by its platform id (``act_1001``) or bare number (``1001``)."""
        found = self._entities.get((platform, account_id))
        if isinstance(found, Account):
            return found
        prefix = LAYOUTS[platform].account_prefix if platform in LAYOUTS else ""
        found = self._entities.get((platform, prefix + account_id))
        return found if isinstance(found, Account) else None

    def entity(self, platform: str, entity_id: str) -> Entity | None:
        """Any account, campaign, ad group or ad by id."""
        return self._entities.get((platform, entity_id))

    def _kind(self, platform: str, parent_id: str, kind: type[Entity]) -> Iterable[Entity]:
        stack = [parent_id]
        while stack:
            node = stack.pop(0)
            for child in self._children.get((platform, node), []):
                ent = self._entities[(platform, child)]
                if isinstance(ent, kind):
                    yield ent
                else:
                    stack.append(child)

    def campaigns(self, platform: str, account_id: str) -> list[Campaign]:
        """Campaigns of an account, in id order."""
        return [e for e in self._kind(platform, account_id, Campaign) if isinstance(e, Campaign)]

    def ad_groups(self, platform: str, parent_id: str) -> list[AdGroup]:
        """Ad groups under an account or campaign, in id order."""
        found = self._kind(platform, parent_id, AdGroup)
        return sorted((e for e in found if isinstance(e, AdGroup)), key=lambda e: int(e.id))

    def ads(self, platform: str, parent_id: str) -> list[Ad]:
        """Ads under an account, campaign or ad group, in id order."""
        key = (platform, parent_id)
        cached = self._ads_under.get(key)
        if cached is None:
            found = self._kind(platform, parent_id, Ad)
            cached = sorted((e for e in found if isinstance(e, Ad)), key=lambda e: int(e.id))
            self._ads_under[key] = cached  # the tree never changes after construction
        return list(cached)

    # -------------------------------------------------------------------- clock
    def now(self) -> datetime:
        """Return the market clock (aware, UTC)."""
        return self.clock().astimezone(UTC)

    def local_now(self, platform: str, account_id: str) -> datetime:
        """Return the market clock in the account's time zone."""
        acc = self._require_account(platform, account_id)
        return self.now().astimezone(ZoneInfo(acc.timezone))

    def local_today(self, platform: str, account_id: str) -> date:
        """Today in the account's time zone."""
        return self.local_now(platform, account_id).date()

    def _require_account(self, platform: str, account_id: str) -> Account:
        acc = self.account(platform, account_id)
        if acc is None:
            raise KeyError(f"unknown account {platform}:{account_id}")
        return acc

    # -------------------------------------------------------------------- state
    def budget(self, platform: str, entity_id: str, day: date | None = None) -> int | None:
        """Daily budget in minor units on ``day`` (default: today), None if it holds none."""
        with self._lock:
            history = self._budgets.get((platform, entity_id))
            if history is None:
                return None
            day = day or self._today_of(platform, entity_id)
            value = history[0][1]
            for since, minor in history:
                if since <= day:
                    value = minor
            return value

    def status(self, platform: str, entity_id: str, day: date | None = None) -> str:
        """Return the configured status (ACTIVE/PAUSED) on ``day`` (default: today)."""
        with self._lock:
            history = self._statuses[(platform, entity_id)]
            if len(history) == 1:
                return history[0][1]
            day = day or self._today_of(platform, entity_id)
            value = ACTIVE
            for since, status in history:
                if since <= day:
                    value = status
            return value

    def budget_history(self, platform: str, entity_id: str) -> list[tuple[date, int]]:
        """Budget changes ``[(since, minor), ...]`` of a holder, oldest first ([] if none)."""
        with self._lock:
            return list(self._budgets.get((platform, entity_id), []))

    def learning(self, platform: str, holder_id: str, day: date) -> float:
        """Hidden conversions multiplier of a budget holder on ``day`` (learning phase)."""
        if self.scenario is None:
            return 1.0
        return steering.learning_multiplier(
            self.scenario, self.budget_history(platform, holder_id), day
        )

    def holder_of(self, platform: str, ad_id: str) -> str:
        """Id of the entity holding the budget an ad spends (its campaign or ad group)."""
        ad = self._entities[(platform, ad_id)]
        assert isinstance(ad, Ad)
        campaign = self._entities[(platform, ad.campaign_id)]
        assert isinstance(campaign, Campaign)
        return ad.campaign_id if campaign.budget_level == "campaign" else ad.ad_group_id

    def fx_rate(self, platform: str, account_id: str) -> float:
        """Hidden value of one unit of the account's currency in market units (~USD)."""
        return self._fx[(platform, self._require_account(platform, account_id).id)]

    def ad_campaign_curve(self, platform: str, ad_id: str) -> CampaignCurve:
        """Hidden response curve of an ad's campaign (for the oracle, never for flows)."""
        ad = self._entities[(platform, ad_id)]
        assert isinstance(ad, Ad)
        return self._campaign_curves[(platform, ad.campaign_id)]

    def delivery_shares(
        self, platform: str, holder_id: str, day: date
    ) -> dict[str, tuple[float, float]]:
        """Ad id -> (share of the holder's budget, holder pacing) for ads delivering on day."""
        with self._lock:
            return dict(self._holder_day(platform, holder_id, day))

    def updated_time(self, platform: str, entity_id: str) -> datetime:
        """When the entity was created or last changed."""
        return self._updated[(platform, entity_id)]

    def _today_of(self, platform: str, entity_id: str) -> date:
        ent = self._entities[(platform, entity_id)]
        account_id = ent.id if isinstance(ent, Account) else ent.account_id
        return self.local_today(platform, account_id)

    def set_budget(self, platform: str, entity_id: str, minor_units: int) -> tuple[int, int]:
        """Change a daily budget from now on; return (before, after).

        ``budget`` reads the new value for the whole of today; spend follows it only from the
        moment of the change (:meth:`day_budget`).
        """
        with self._lock:
            before = self.budget(platform, entity_id)
            if before is None:
                raise ValueError(f"{entity_id} holds no daily budget")
            today = self._today_of(platform, entity_id)
            days = self._intraday.setdefault((platform, entity_id), {})
            days.setdefault(today, []).append(
                (self._elapsed(platform, entity_id), minor_units))
            self._append((platform, entity_id), self._budgets, minor_units)
            return before, minor_units

    def _elapsed(self, platform: str, entity_id: str) -> float:
        # Share of the entity's local day gone by now, in [0, 1).
        ent = self._entities[(platform, entity_id)]
        account_id = ent.id if isinstance(ent, Account) else ent.account_id
        return _day_fraction(self.local_now(platform, account_id))

    def _segments(self, platform: str, entity_id: str, day: date) -> list[tuple[float, int]]:
        # [(from fraction, minor)] of the day, in force until the next one's fraction.
        changes = self._intraday.get((platform, entity_id), {}).get(day)
        if not changes:
            return [(0.0, self.budget(platform, entity_id, day) or 0)]
        opening = self.budget(platform, entity_id, day - timedelta(days=1)) or 0
        return [(0.0, opening), *changes]

    def day_budget(self, platform: str, entity_id: str, day: date, until: float = 1.0) -> float:
        """Budget-time (minor units × share of day) the holder had from midnight to ``until``.

        With ``until=1`` it is the day's effective budget: the budget of a day without
        changes, else the time-weighted mean of the budgets in force through the day.
        """
        with self._lock:
            segments = self._segments(platform, entity_id, day)
            total = 0.0
            for i, (start, minor) in enumerate(segments):
                end = segments[i + 1][0] if i + 1 < len(segments) else 1.0
                total += minor * max(0.0, min(end, until) - start)
            return total

    def spent_share(self, platform: str, ad_id: str, day: date, fraction: float) -> float:
        """Share of an ad's full-day spend spent by ``fraction`` of the day."""
        holder = self.holder_of(platform, ad_id)
        whole = self.day_budget(platform, holder, day)
        if whole <= 0:
            return fraction
        return self.day_budget(platform, holder, day, until=fraction) / whole

    def set_status(self, platform: str, entity_id: str, status: str) -> tuple[str, str]:
        """Change a configured status from today on; return (before, after)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        with self._lock:
            before = self.status(platform, entity_id)
            self._append((platform, entity_id), self._statuses, status)
            return before, status

    def _append(
        self,
        key: tuple[str, str],
        store: dict[tuple[str, str], list[tuple[date, int]]]
        | dict[tuple[str, str], list[tuple[date, str]]],
        value: int | str,
    ) -> None:
        today = self._today_of(*key)
        history: list[tuple[date, object]] = store[key]  # type: ignore[assignment]
        history[:] = [h for h in history if h[0] < today] + [(today, value)]
        self._updated[key] = self.now()
        self._spend_cache.clear()
        self._share_cache.clear()
        self.version += 1

    def delivering(self, platform: str, ad_id: str, day: date) -> bool:
        """Whether an ad and all its parents are ACTIVE and started on ``day``."""
        ad = self._entities[(platform, ad_id)]
        assert isinstance(ad, Ad)
        chain = (ad.id, ad.ad_group_id, ad.campaign_id)
        starts = (ad.start_day, self._start(platform, ad.ad_group_id),
                  self._start(platform, ad.campaign_id))
        if day < self.history_start or any(day < st for st in starts):
            return False
        return all(self.status(platform, eid, day) == ACTIVE for eid in chain)

    def _start(self, platform: str, entity_id: str) -> date:
        ent = self._entities[(platform, entity_id)]
        assert isinstance(ent, Campaign | AdGroup)
        return ent.start_day

    # ----------------------------------------------------------------- outcomes
    def spend(self, platform: str, ad_id: str, day: date) -> Decimal:
        """Full-day spend of an ad (account currency); zero on days without delivery."""
        key = (platform, ad_id, day)
        with self._lock:
            cached = self._spend_cache.get(key)
            if cached is None:
                cached = self._spend(platform, ad_id, day)
                self._spend_cache[key] = cached
            return cached

    def _spend(self, platform: str, ad_id: str, day: date) -> Decimal:
        ad = self._entities[(platform, ad_id)]
        assert isinstance(ad, Ad)
        if day > self.local_today(platform, ad.account_id) or not self.delivering(
            platform, ad_id, day
        ):
            return Decimal("0.00")
        o = day.toordinal()
        dark, u1, u2 = _rng.uniforms(self.seed, 3, ad_id, o, "spend")
        if dark < 0.02:
            return Decimal("0.00")  # no delivery that day (auction lost, review...)
        holder = self.holder_of(platform, ad_id)
        share, pacing = self._holder_day(platform, holder, day)[ad_id]
        budget = self.day_budget(platform, holder, day)
        jitter = math.exp(0.05 * _rng.gauss(u1, u2))
        return curves.money(budget / 100.0 * share * pacing * jitter)

    def _holder_day(
        self, platform: str, holder: str, day: date
    ) -> dict[str, tuple[float, float]]:
        # Shares of the budget among the ads delivering under one budget holder that day,
        # and the holder's pacing; shared by all its ads, so computed once per day.
        key = (platform, holder, day)
        cached = self._share_cache.get(key)
        if cached is None:
            siblings = [x for x in self.ads(platform, holder)
                        if self.delivering(platform, x.id, day)]
            weights = {x.id: self._ad_curves[(platform, x.id)].weight for x in siblings}
            total = sum(weights.values())
            u1, u2 = _rng.uniforms(self.seed, 2, holder, day.toordinal(), "pace")
            weekday = 0.93 if day.weekday() >= 5 else 1.0
            pacing = min(1.2, max(0.6, 0.95 + 0.07 * _rng.gauss(u1, u2))) * weekday
            cached = {ad_id: (w / total, pacing) for ad_id, w in weights.items()}
            self._share_cache[key] = cached
        return cached

    def delivery(self, platform: str, ad_id: str, day: date) -> Delivery:
        """Complete outcome of an ad-day (what it will look like after ``LAG_DAYS``)."""
        ad = self._entities[(platform, ad_id)]
        assert isinstance(ad, Ad)
        multiplier, phantom = 1.0, 0.0
        if self.scenario is not None:
            multiplier = self.learning(platform, self.holder_of(platform, ad_id), day)
            if self.inflated_campaign == (platform, ad.campaign_id):
                phantom = self.scenario.inflation
        return _deliver(
            self.seed, ad_id, day.toordinal(), self.spend(platform, ad_id, day),
            self._fx[(platform, ad.account_id)], self._campaign_curves[(platform, ad.campaign_id)],
            self._ad_curves[(platform, ad_id)], multiplier, phantom,
        )

    def truth(
        self,
        platform: str,
        ad_id: str,
        day: date,
        as_of: date | None = None,
        windows: Sequence[str] = DEFAULT_WINDOWS,
    ) -> DayTruth:
        """Ground truth for an ad-day as the platform reports it on ``as_of``.

        ``as_of`` is a local date of the account (default: today). Conversions count
        the events reported by then; on the current day spend and counts are partial.
        """
        ad = self._entities.get((platform, ad_id))
        if not isinstance(ad, Ad):
            raise KeyError(f"unknown ad {platform}:{ad_id}")
        acc = self._require_account(platform, ad.account_id)
        local_now = self.local_now(platform, ad.account_id)
        as_of = as_of or local_now.date()
        full = self.delivery(platform, ad_id, day)
        fraction = 1.0
        if as_of < day:
            fraction = 0.0
        elif day == as_of == local_now.date():
            fraction = _day_fraction(local_now)
        spent = self.spent_share(platform, ad_id, day, fraction) if 0 < fraction < 1 else fraction
        spend = curves.money(float(full.spend) * spent) if spent < 1 else full.spend
        impressions = math.floor(full.impressions * spent)
        clicks = min(impressions, math.floor(full.clicks * spent))
        if impressions == 0:
            spend = Decimal("0.00")
        lag = (as_of - day).days
        seen = [
            e for e in full.events
            if e.observed_lag <= lag and (fraction >= 1 or e.intraday <= fraction)
        ]
        counts = dict.fromkeys(_ALL_WINDOWS, 0)
        values = dict.fromkeys(_ALL_WINDOWS, Decimal("0.00"))
        conversions, value = 0, Decimal("0.00")
        wanted = tuple(windows)
        for e in seen:
            for w in _ALL_WINDOWS:
                if curves.in_window(e, w):
                    counts[w] += 1
                    values[w] += e.value
            if curves.in_any_window(e, wanted):
                conversions += 1
                value += e.value
        return DayTruth(
            platform=platform, account_id=ad.account_id, campaign_id=ad.campaign_id,
            ad_group_id=ad.ad_group_id, ad_id=ad_id, day=day, as_of=as_of,
            currency=acc.currency, spend=spend, impressions=impressions, clicks=clicks,
            conversions=conversions, value=value,
            conversions_by_window=counts, value_by_window=values,
            complete=lag >= curves.LAG_DAYS,
        )


_ALL_WINDOWS: tuple[str, ...] = (*curves.CLICK_WINDOWS, *curves.VIEW_WINDOWS)


_deliver_cache: dict[tuple[object, ...], Delivery] = {}


def _deliver(
    seed: int, ad_id: str, ordinal: int, spend: Decimal, fx: float,
    campaign: CampaignCurve, ad: AdCurve, multiplier: float = 1.0, phantom: float = 0.0,
) -> Delivery:
    # Pure function of its arguments (the scenario's effects included), so a bounded
    # module-level memo is safe.
    key = (seed, ad_id, ordinal, spend, fx, campaign, ad, multiplier, phantom)
    hit = _deliver_cache.get(key)
    if hit is None:
        if len(_deliver_cache) > 500_000:
            _deliver_cache.clear()
        hit = curves.deliver(seed, ad_id, ordinal, spend, fx, campaign, ad, multiplier)
        if phantom > 0:
            hit = steering.with_phantom_views(
                seed, ad_id, ordinal, hit, fx, campaign, phantom, multiplier
            )
        _deliver_cache[key] = hit
    return hit
