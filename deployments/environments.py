"""The one place that chooses real or emulated platforms, and where the warehouse lives.

`current()` reads the process environment once per flow run; everything below it receives the
resulting `Environment` (functions don't read the environment themselves).

| variable | default | meaning |
|---|---|---|
| `CAMPAIGN_OPS_ENV` | `sandbox` | `sandbox` (emulators) or `live` (platform APIs) |
| `CAMPAIGN_OPS_WAREHOUSE` | `data/warehouse.duckdb` | the DuckDB file |
| `CAMPAIGN_OPS_DATA_DIR` | `data` | landing and quarantine files |
| `CAMPAIGN_OPS_REPORTING_CURRENCY` | `USD` | currency of `spend_reporting` |
| `CAMPAIGN_OPS_SANDBOX_URL_<PLATFORM>` | unset | loopback emulator (`up`); unset: in-process |
| `CAMPAIGN_OPS_SANDBOX_TODAY` | unset | sandbox: the market's day, fixed (`YYYY-MM-DD`) |
| `CAMPAIGN_OPS_OFFLINE_CONVERSIONS_DIR` | `<data dir>/offline_conversions` | the drop folder |
| `CAMPAIGN_OPS_<PLATFORM>_BLOCK` | `<platform with dashes>` | live: name of the credentials block |
| `CAMPAIGN_OPS_STORE_URL` | `sqlite:///<data dir>/store.sqlite` | the operational store |
| `CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID` | sandbox id | Google Ads operating account |
| `CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID` | sandbox id | its offline conversion action |
| `CAMPAIGN_OPS_GOOGLE_CONVERSIONS_LOGIN_ACCOUNT_ID` | unset | manager account of the calls |
| `CAMPAIGN_OPS_META_PIXEL_ID` | sandbox id | Meta pixel (dataset) of the Conversions API |
| `CAMPAIGN_OPS_META_TEST_EVENT_CODE` | unset | send CAPI events to Test Events only |

The Google and Meta ids are required live; the sandbox defaults to `SANDBOX_*` below.
Live offline-conversion uploads use the `GoogleDataManagerCredentials` block (default name
`google-data-manager`, or `CAMPAIGN_OPS_GOOGLE_DATA_MANAGER_BLOCK`) and the Meta block
(`MetaAdsCredentials`, its token needs the pixel). With the default data dir the store is
`data/store.sqlite`, the gateway's default file; set `CAMPAIGN_OPS_STORE_URL` for both when
the data dir moves or the store is PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from connectors.calllog import CallRecorder
    from connectors.ga4 import Ga4Settings
    from connectors.google_ads import GoogleAdsSettings
    from connectors.google_data_manager import (
        Destination,
        GoogleDataManagerConnector,
        GoogleDataManagerSettings,
    )
    from connectors.hubspot import HubSpotSettings
    from connectors.linkedin_ads import LinkedInAdsSettings
    from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
    from connectors.ratelimit import KeyedPool, TokenBucket
    from connectors.shopify import ShopifySettings
    from connectors.streams import SourceConnector
    from emulators._base import Emulator
    from emulators.market import Market
    from emulators.population import Population

EnvironmentName = Literal["sandbox", "live"]
QuotaScope = Literal["account", "app"]
"""What a platform's rate quota is counted against: each ad account, or the whole app."""
ENVIRONMENTS: tuple[EnvironmentName, ...] = ("sandbox", "live")

# Destination ids of the in-process and loopback sandbox (the emulators accept any digits).
SANDBOX_GOOGLE_CONVERSIONS_ACCOUNT_ID = "5550001001"
SANDBOX_GOOGLE_CONVERSION_ACTION_ID = "7770001"
SANDBOX_META_PIXEL_ID = "880000000000001"


class EnvironmentConfigError(ValueError):
    """The environment variables describe no usable environment."""


@dataclass(frozen=True)
class Environment:
    """Where one run reads from and writes to."""

    name: EnvironmentName
    warehouse_path: Path
    data_dir: Path
    reporting_currency: str = "USD"
    sandbox_urls: Mapping[str, str] = field(default_factory=dict)
    credential_blocks: Mapping[str, str] = field(default_factory=dict)
    offline_dir: Path | None = None
    store_url: str = ""
    """SQLAlchemy URL of the operational store (default: ``<data dir>/store.sqlite``)."""
    google_conversions_account_id: str | None = None
    google_conversion_action_id: str | None = None
    google_conversions_login_account_id: str | None = None
    meta_pixel_id: str | None = None
    meta_test_event_code: str | None = None

    def __post_init__(self) -> None:
        if not self.store_url:
            object.__setattr__(self, "store_url", f"sqlite:///{self.data_dir}/store.sqlite")

    @property
    def landing_root(self) -> Path:
        """Immutable landing files, one per run, account and stream."""
        return self.data_dir / "landing"

    @property
    def quarantine_root(self) -> Path:
        """Landing files of batches that failed an ERROR quality check."""
        return self.data_dir / "quarantine"

    @property
    def offline_conversions_dir(self) -> Path:
        """The drop folder of offline-conversion exports."""
        return self.offline_dir or self.data_dir / "offline_conversions"

    def describe(self) -> str:
        """One line for logs and artifacts (no secrets)."""
        where = ", ".join(f"{p} at {u}" for p, u in self.sandbox_urls.items()) or "in-process"
        detail = f"emulators {where}" if self.name == "sandbox" else "live platform APIs"
        return f"{self.name} ({detail}); warehouse {self.warehouse_path}"

    def now(self, platform: str) -> dt.datetime:
        """Return the current instant as `platform` sees it (an in-process sandbox's clock)."""
        if self.name == "sandbox" and platform not in self.sandbox_urls:
            from emulators.registry import EMULATORS

            # The platform's own emulator (tests swap in one with a controlled clock); a file
            # source has none and reads the sandbox market's clock.
            if platform in EMULATORS or platform in DESTINATION_PLATFORMS:
                return sandbox_emulator(platform).market.now()
            return sandbox_market().now()
        return dt.datetime.now(dt.UTC)

    def connector(self, platform: str, *, recorder: CallRecorder | None = None) -> SourceConnector:
        """Build a connector for `platform`, wired to the emulator or the live API."""
        if platform == "offline_conversions":
            return self._offline_connector(recorder)
        wiring = PLATFORMS.get(platform)
        if wiring is None:
            known = ", ".join(sorted(PLATFORMS))
            raise EnvironmentConfigError(f"no connector for platform {platform!r} (known: {known})")
        return self._build_connector(  # type: ignore[no-any-return]
            platform, wiring, recorder, emulator_clock=False)


    def data_manager(self, *, recorder: CallRecorder | None = None) -> DataManagerTarget:
        """Return the Data Manager connector and the conversion action offline deals go to.

        Raises:
            EnvironmentConfigError: live, without the account or conversion action variable,
                or without the credentials block.

        """
        from connectors.google_data_manager import Destination

        platform = "google_data_manager"
        account = self.google_conversions_account_id
        action = self.google_conversion_action_id
        if self.name == "sandbox":
            account = account or SANDBOX_GOOGLE_CONVERSIONS_ACCOUNT_ID
            action = action or SANDBOX_GOOGLE_CONVERSION_ACTION_ID
        missing = [name for name, value in (
            ("CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID", account),
            ("CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID", action)) if not value]
        if missing:
            raise EnvironmentConfigError(
                f"live Google offline conversions need {' and '.join(missing)}"
            )
        destination = Destination(
            account_id=str(account), conversion_action_id=str(action),
            login_account_id=self.google_conversions_login_account_id,
        )
        connector = self._build_connector(
            platform, DESTINATION_PLATFORMS[platform], recorder, emulator_clock=True)
        return DataManagerTarget(connector=connector, destination=destination)

    def conversions_api(self, *, recorder: CallRecorder | None = None) -> CapiTarget:
        """Return the Meta connector and the pixel the Conversions API events go to.

        Raises:
            EnvironmentConfigError: live, without ``CAMPAIGN_OPS_META_PIXEL_ID`` or the Meta
                credentials block.

        """
        pixel = self.meta_pixel_id
        if self.name == "sandbox":
            pixel = pixel or SANDBOX_META_PIXEL_ID
        if not pixel:
            raise EnvironmentConfigError(
                "live Meta Conversions API needs CAMPAIGN_OPS_META_PIXEL_ID"
            )
        connector = self._build_connector(
            "meta_ads", PLATFORMS["meta_ads"], recorder, emulator_clock=True)
        return CapiTarget(connector=connector, pixel_id=pixel,
                          test_event_code=self.meta_test_event_code)

    def _build_connector(
        self, platform: str, wiring: PlatformWiring, recorder: CallRecorder | None, *,
        emulator_clock: bool,
    ) -> Any:
        """Build `platform`'s connector: live settings, a loopback emulator, or in process.

        In process, ``emulator_clock`` gives the connector the emulator's market clock (the
        write connectors check event-time windows, which must agree with the emulator's).
        """
        options: dict[str, Any] = {}
        if self.name == "live":
            settings = _live_settings(self, platform, wiring)
        elif platform in self.sandbox_urls:
            settings = wiring.sandbox_settings(self.sandbox_urls[platform])
        else:
            settings = wiring.sandbox_settings(wiring.live_base_url)
            emulator = sandbox_emulator(platform)
            options["transport"] = emulator.transport()
            if emulator_clock:
                options["clock"] = emulator.market.now
        return wiring.connector_cls()(
            settings,
            recorder=recorder,
            rate_limiters=shared_rate_limiters(platform, wiring.quota_scope, settings),
            **options,
        )

    def _offline_connector(self, recorder: CallRecorder | None) -> SourceConnector:
        """Return the drop folder's connector (the sandbox first writes its CRM export there)."""
        from connectors.offline_conversions import (
            OfflineConversionsConnector,
            OfflineConversionsSettings,
        )

        folder = self.offline_conversions_dir
        if self.name == "sandbox":
            from emulators.offline_conversions import export_closed_deals

            now = sandbox_market().now()
            if not (folder / f"deals-{now.date().isoformat()}.csv").exists():
                export_closed_deals(sandbox_population(), folder, as_of=now)
        else:
            folder.mkdir(parents=True, exist_ok=True)
        # Scratch beside the landing files: a read's row file is then linked into place,
        # not copied.
        settings = OfflineConversionsSettings(folder=folder, source_name="offline",
                                              scratch_dir=self.data_dir / "scratch")
        return OfflineConversionsConnector(settings, recorder=recorder)


def _live_settings(environment: Environment, platform: str, wiring: PlatformWiring) -> Any:
    """Load `platform`'s credentials block (default name: the platform, dashed) as settings."""
    import connectors.blocks

    block_cls = getattr(connectors.blocks, wiring.credentials_block)
    block_name = environment.credential_blocks.get(platform, platform.replace("_", "-"))
    try:
        credentials = block_cls.load(block_name)
    except ValueError as exc:
        raise EnvironmentConfigError(
            f"live {platform} needs a {wiring.credentials_block} block named {block_name!r}: {exc}"
        ) from None
    return credentials.to_settings()


_limiters: dict[str, KeyedPool[str, TokenBucket]] = {}
_limiters_lock = threading.Lock()


def shared_rate_limiters(
    platform: str, scope: QuotaScope, settings: Any
) -> KeyedPool[str, TokenBucket]:
    """Return the process-wide client-side rate limiters of `platform`.

    Every connector of one platform in this process draws from the same buckets, so accounts
    extracted in parallel pace together: one bucket per account where the platform's quota is
    per account (Meta, Google Ads), one for every account where it is per app (LinkedIn).
    """
    from connectors.ratelimit import KeyedPool, TokenBucket

    def bucket(_key: str = "") -> TokenBucket:
        return TokenBucket(
            settings.requests_per_second,
            burst=settings.burst,
            threshold=getattr(settings, "headroom_threshold", 0.2),
        )

    with _limiters_lock:
        if platform not in _limiters:
            if scope == "app":
                shared = bucket()
                _limiters[platform] = KeyedPool(lambda _key: shared)
            else:
                _limiters[platform] = KeyedPool(bucket)
        return _limiters[platform]


@dataclass(frozen=True)
class PlatformWiring:
    """How one platform is reached in each environment; the next platform adds one entry."""

    live_base_url: str
    quota_scope: QuotaScope
    connector_cls: Callable[[], type]
    sandbox_settings: Callable[[str], Any]
    credentials_block: str  # class in connectors.blocks; the block is named after the platform


def _meta_connector_cls() -> type:
    from connectors.meta_ads import MetaAdsConnector

    return MetaAdsConnector


def _meta_sandbox_settings(base_url: str) -> MetaAdsSettings:
    from pydantic import SecretStr

    from connectors.meta_ads import MetaAdsSettings
    from emulators.meta_ads.auth import SANDBOX_TOKEN

    # The sandbox answers in milliseconds: poll report runs fast, keep every other default.
    return MetaAdsSettings(
        base_url=base_url,
        access_token=SecretStr(SANDBOX_TOKEN),
        report_poll_initial_seconds=0.05,
        report_poll_max_seconds=0.5,
    )


def _linkedin_connector_cls() -> type:
    from connectors.linkedin_ads import LinkedInAdsConnector

    return LinkedInAdsConnector


def _linkedin_sandbox_settings(base_url: str) -> LinkedInAdsSettings:
    from pydantic import SecretStr

    from connectors.linkedin_ads import LinkedInAdsSettings
    from emulators.linkedin_ads import SANDBOX_TOKEN

    return LinkedInAdsSettings(
        base_url=base_url, oauth_base_url=base_url, access_token=SecretStr(SANDBOX_TOKEN)
    )


def _google_connector_cls() -> type:
    from connectors.google_ads import GoogleAdsConnector

    return GoogleAdsConnector


def _google_sandbox_settings(base_url: str) -> GoogleAdsSettings:
    from pydantic import SecretStr

    from connectors.google_ads import GoogleAdsSettings
    from emulators import google_ads as sandbox

    return GoogleAdsSettings(
        base_url=base_url,
        token_url=f"{base_url}/token",
        developer_token=SecretStr(sandbox.DEVELOPER_TOKEN),
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.SANDBOX_ACCESS_TOKEN),
        login_customer_id=sandbox.MANAGER_ID,
    )


def _hubspot_connector_cls() -> type:
    from connectors.hubspot import HubSpotConnector

    return HubSpotConnector


def _hubspot_sandbox_settings(base_url: str) -> HubSpotSettings:
    from pydantic import SecretStr

    from connectors.hubspot import HubSpotSettings
    from emulators.hubspot import PRIVATE_APP_TOKEN

    return HubSpotSettings(base_url=base_url, access_token=SecretStr(PRIVATE_APP_TOKEN))


def _ga4_connector_cls() -> type:
    from connectors.ga4 import Ga4Connector

    return Ga4Connector


def _ga4_sandbox_settings(base_url: str) -> Ga4Settings:
    from pydantic import SecretStr

    from connectors.ga4 import Ga4Settings
    from emulators import ga4 as sandbox

    # One host serves the Data API, the Admin API and the token endpoint.
    return Ga4Settings(
        base_url=base_url,
        admin_base_url=base_url,
        token_url=f"{base_url}/token",
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.ACCESS_TOKEN),
        property_ids=tuple(p.id for p in sandbox.DEFAULT_PROPERTIES),
    )


def _shopify_connector_cls() -> type:
    from connectors.shopify import ShopifyConnector

    return ShopifyConnector


def _shopify_sandbox_settings(base_url: str) -> ShopifySettings:
    from pydantic import SecretStr

    from connectors.shopify import ShopifySettings
    from emulators.shopify import SANDBOX_SHOP, SANDBOX_TOKEN

    # In process: the live template (https://{shop}.myshopify.com) filled with the sandbox
    # shop; on loopback: the server URL, which serves the sandbox shop.
    return ShopifySettings(
        base_url=base_url, shop=SANDBOX_SHOP, access_token=SecretStr(SANDBOX_TOKEN)
    )


PLATFORMS: dict[str, PlatformWiring] = {
    "meta_ads": PlatformWiring(
        live_base_url="https://graph.facebook.com",
        quota_scope="account",  # business use case limits per ad account
        connector_cls=_meta_connector_cls,
        sandbox_settings=_meta_sandbox_settings,
        credentials_block="MetaAdsCredentials",
    ),
    "google_ads": PlatformWiring(
        live_base_url="https://googleads.googleapis.com",
        quota_scope="account",  # operations are counted per customer
        connector_cls=_google_connector_cls,
        sandbox_settings=_google_sandbox_settings,
        credentials_block="GoogleAdsCredentials",
    ),
    "linkedin_ads": PlatformWiring(
        live_base_url="https://api.linkedin.com",
        quota_scope="app",  # daily limits per app (and member), not per ad account
        connector_cls=_linkedin_connector_cls,
        sandbox_settings=_linkedin_sandbox_settings,
        credentials_block="LinkedInAdsCredentials",
    ),
    "hubspot": PlatformWiring(
        live_base_url="https://api.hubapi.com",
        quota_scope="account",  # limits per portal (the account), shared by its apps
        connector_cls=_hubspot_connector_cls,
        sandbox_settings=_hubspot_sandbox_settings,
        credentials_block="HubSpotCredentials",
    ),
    "ga4": PlatformWiring(
        live_base_url="https://analyticsdata.googleapis.com",
        quota_scope="account",  # token quotas are counted per property
        connector_cls=_ga4_connector_cls,
        sandbox_settings=_ga4_sandbox_settings,
        credentials_block="Ga4Credentials",
    ),
    "shopify": PlatformWiring(
        live_base_url="https://{shop}.myshopify.com",
        quota_scope="account",  # the cost bucket is per app and shop; one shop = one account
        connector_cls=_shopify_connector_cls,
        sandbox_settings=_shopify_sandbox_settings,
        credentials_block="ShopifyCredentials",
    ),
}


@dataclass(frozen=True)
class DataManagerTarget:
    """Where Google offline conversions go: the connector (close it) and the destination."""

    connector: GoogleDataManagerConnector
    destination: Destination


@dataclass(frozen=True)
class CapiTarget:
    """Where Meta Conversions API events go: the connector (close it) and the pixel."""

    connector: MetaAdsConnector
    pixel_id: str
    test_event_code: str | None = None


def _data_manager_connector_cls() -> type:
    from connectors.google_data_manager import GoogleDataManagerConnector

    return GoogleDataManagerConnector


def _data_manager_sandbox_settings(base_url: str) -> GoogleDataManagerSettings:
    from pydantic import SecretStr

    from connectors.google_data_manager import GoogleDataManagerSettings
    from emulators.google_ads import auth as sandbox

    # The Data Manager emulator accepts the Google Ads sandbox OAuth client and tokens.
    return GoogleDataManagerSettings(
        base_url=base_url,
        token_url=f"{base_url}/token",
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.SANDBOX_ACCESS_TOKEN),
    )


def _data_manager_emulator(market: Market) -> Emulator:
    from emulators.google_data_manager import GoogleDataManagerEmulator

    return GoogleDataManagerEmulator(market)


# Write-only destinations: not extract sources, so not in PLATFORMS (nor the emulator
# registry); reached through `Environment.data_manager()`.
DESTINATION_PLATFORMS: dict[str, PlatformWiring] = {
    "google_data_manager": PlatformWiring(
        live_base_url="https://datamanager.googleapis.com",
        quota_scope="app",  # IngestionService quotas are per Cloud project
        connector_cls=_data_manager_connector_cls,
        sandbox_settings=_data_manager_sandbox_settings,
        credentials_block="GoogleDataManagerCredentials",
    ),
}
_DESTINATION_EMULATORS: dict[str, Callable[[Market], Emulator]] = {
    "google_data_manager": _data_manager_emulator,
}


_emulators: dict[str, Emulator] = {}
_market: Market | None = None
_market_today: dt.date | None = None
_population: Population | None = None
_emulators_lock = threading.RLock()  # re-entered: emulator -> population -> market


def sandbox_emulator(platform: str) -> Emulator:
    """Return the in-process emulator of `platform`, one per process (state lives as long)."""
    from emulators.registry import EMULATORS

    market = sandbox_market()
    with _emulators_lock:
        if platform not in _emulators and platform in _DESTINATION_EMULATORS:
            _emulators[platform] = _DESTINATION_EMULATORS[platform](market)
        if platform not in _emulators:
            options = {} if platform in market.platforms else {"population": sandbox_population()}
            options.update(_sandbox_options(platform))
            _emulators[platform] = EMULATORS[platform](market=market, **options)
        return _emulators[platform]


def _sandbox_options(platform: str) -> dict[str, Any]:
    """Per-platform settings of the in-process sandbox (beyond the shared market and people)."""
    if platform == "shopify":
        from emulators.shopify.bucket import ShopifyQuota

        # The sandbox shop is on Shopify Plus query limits (10x the standard restore rate), so
        # the demo is not mostly waiting on the cost bucket; tests and the bench cover the
        # standard 2,000-point bucket restoring 100 points a second.
        return {"quota": ShopifyQuota(maximum_available=20_000, restore_rate=1_000)}
    return {}


def sandbox_market() -> Market:
    """Return the sandbox's one seeded company on every ad platform (one per process)."""
    from emulators.entities import LAYOUTS
    from emulators.market import Market

    global _market
    with _emulators_lock:
        if _market is None:
            # One seeded company on every platform, so cross-channel numbers agree.
            _market = Market(seed=7, today=_market_today, platforms=tuple(LAYOUTS))
        return _market


def fix_sandbox_day(day: dt.date | None) -> None:
    """Freeze the sandbox market at noon UTC of ``day`` (None: it follows the wall clock).

    A seeded sandbox on a fixed day gives the same warehouse on every run: the demo's digest
    test relies on it.

    Raises:
        EnvironmentConfigError: the market already runs on another day in this process.

    """
    global _market_today
    with _emulators_lock:
        if _market is not None and day != _market_today:
            raise EnvironmentConfigError(
                f"CAMPAIGN_OPS_SANDBOX_TODAY={day} comes after the sandbox started on "
                f"{_market_today or 'the wall clock'}")
        _market_today = day


def sandbox_population() -> Population:
    """Return the people behind the sandbox market (one per process).

    The CRM, GA4, the shop and the offline exports all render this one population, so a
    person's click, session, lead and order agree.
    """
    from emulators.population import SANDBOX_PEOPLE, Population

    global _population
    market = sandbox_market()
    with _emulators_lock:
        if _population is None:
            _population = Population(market, size=SANDBOX_PEOPLE)
        return _population


@contextlib.contextmanager
def use_sandbox_emulator(platform: str, emulator: Emulator) -> Iterator[Emulator]:
    """Make `emulator` the in-process sandbox of `platform` for a while (tests, demo faults)."""
    with _emulators_lock:
        previous = _emulators.get(platform)
        _emulators[platform] = emulator
    try:
        yield emulator
    finally:
        with _emulators_lock:
            if previous is None:
                _emulators.pop(platform, None)
            else:
                _emulators[platform] = previous


def current(environ: Mapping[str, str] | None = None) -> Environment:
    """Build the `Environment` described by the process environment (see module docstring)."""
    environ = os.environ if environ is None else environ
    name = environ.get("CAMPAIGN_OPS_ENV", "sandbox").strip().lower()
    if name not in ENVIRONMENTS:
        raise EnvironmentConfigError(
            f"CAMPAIGN_OPS_ENV={name!r} is not one of {', '.join(ENVIRONMENTS)}"
        )
    currency = environ.get("CAMPAIGN_OPS_REPORTING_CURRENCY", "USD").strip().upper()
    from warehouse.quality.iso4217 import ISO_4217_CODES

    if currency not in ISO_4217_CODES:
        raise EnvironmentConfigError(
            f"CAMPAIGN_OPS_REPORTING_CURRENCY={currency!r} is not an ISO 4217 code"
        )
    prefix = "CAMPAIGN_OPS_SANDBOX_URL_"
    sandbox_urls = {
        key.removeprefix(prefix).lower(): value
        for key, value in environ.items()
        if key.startswith(prefix) and value
    }
    today_text = environ.get("CAMPAIGN_OPS_SANDBOX_TODAY", "").strip()
    try:
        sandbox_today = dt.date.fromisoformat(today_text) if today_text else None
    except ValueError:
        raise EnvironmentConfigError(
            f"CAMPAIGN_OPS_SANDBOX_TODAY={today_text!r} is not a YYYY-MM-DD date") from None
    if name == "sandbox":
        fix_sandbox_day(sandbox_today)
    blocks = {
        key.removeprefix("CAMPAIGN_OPS_").removesuffix("_BLOCK").lower(): value
        for key, value in environ.items()
        if key.startswith("CAMPAIGN_OPS_") and key.endswith("_BLOCK") and value
    }
    return Environment(
        name=name,  # type: ignore[arg-type]
        warehouse_path=Path(
            environ.get("CAMPAIGN_OPS_WAREHOUSE", "data/warehouse.duckdb")
        ).resolve(),
        data_dir=Path(environ.get("CAMPAIGN_OPS_DATA_DIR", "data")).resolve(),
        reporting_currency=currency,
        sandbox_urls=sandbox_urls if name == "sandbox" else {},
        credential_blocks=blocks,
        offline_dir=(
            Path(environ["CAMPAIGN_OPS_OFFLINE_CONVERSIONS_DIR"]).resolve()
            if environ.get("CAMPAIGN_OPS_OFFLINE_CONVERSIONS_DIR")
            else None
        ),
        store_url=environ.get("CAMPAIGN_OPS_STORE_URL", "").strip(),
        google_conversions_account_id=_digits_or_none(
            environ, "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID", dashes=True),
        google_conversion_action_id=_digits_or_none(
            environ, "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID"),
        google_conversions_login_account_id=_digits_or_none(
            environ, "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_LOGIN_ACCOUNT_ID", dashes=True),
        meta_pixel_id=_digits_or_none(environ, "CAMPAIGN_OPS_META_PIXEL_ID"),
        meta_test_event_code=environ.get("CAMPAIGN_OPS_META_TEST_EVENT_CODE", "").strip() or None,
    )


def _digits_or_none(environ: Mapping[str, str], key: str, *, dashes: bool = False) -> str | None:
    """Return the id in ``environ[key]`` (digits; dashes removed where allowed) or None."""
    raw = environ.get(key, "").strip()
    if not raw:
        return None
    value = raw.replace("-", "") if dashes else raw
    if not value.isdigit():
        raise EnvironmentConfigError(f"{key}={raw!r} is not a numeric id")
    return value
