"""The environment a run works in: live platforms or the sandbox, the warehouse, the store.

``current()`` builds it from the settings (``config.load_settings``: every variable and its
default is listed there) once per flow run; everything below receives the resulting
:class:`Environment` (functions don't read the environment themselves).

The Google and Meta destination ids are required live; the sandbox defaults to the
``SANDBOX_*`` ids below. Live offline-conversion uploads use the
``GoogleDataManagerCredentials`` block (default name ``google-data-manager``, or
``CAMPAIGN_OPS_GOOGLE_DATA_MANAGER_BLOCK``) and the Meta block (``MetaAdsCredentials``, its
token needs the pixel). The store, the warehouse and the drop folder default to places in
the data folder, for flows and gateway alike: moving ``CAMPAIGN_OPS_DATA_DIR`` moves them all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from config import Settings, SettingsError, load_settings
from resources import sandbox
from resources.errors import EnvironmentConfigError

if TYPE_CHECKING:
    from connectors.calllog import CallRecorder
    from connectors.campaign_writes import CampaignWriter
    from connectors.conversion_destinations import ConversionDestination
    from connectors.description import PlatformDescription, QuotaScope
    from connectors.ratelimit import KeyedPool, TokenBucket
    from connectors.streams import SourceConnector

EnvironmentName = Literal["sandbox", "live"]

# Destination ids of the in-process and loopback sandbox (the emulators accept any digits).
SANDBOX_GOOGLE_CONVERSIONS_ACCOUNT_ID = "5550001001"
SANDBOX_GOOGLE_CONVERSION_ACTION_ID = "7770001"
SANDBOX_META_PIXEL_ID = "880000000000001"
# Where offline conversions can go (``Environment.conversion_destination``).
CONVERSION_DESTINATIONS = ("google_data_manager", "meta_capi")


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
            return sandbox.sandbox_clock(platform)
        return dt.datetime.now(dt.UTC)

    def connector(self, platform: str, *, recorder: CallRecorder | None = None) -> SourceConnector:
        """Build a connector for `platform`, wired to the emulator or the live API."""
        if platform == "offline_conversions":
            return self._offline_connector(recorder)
        from connectors.description import platforms

        readable = {d.name for d in platforms("ads", "source")}
        if platform not in readable:
            known = ", ".join(sorted(readable))
            raise EnvironmentConfigError(f"no connector for platform {platform!r} (known: {known})")
        return self._build_connector(  # type: ignore[no-any-return]
            platform, recorder, emulator_clock=False)


    def conversion_destination(
        self, name: str, recorder: CallRecorder | None = None
    ) -> ConversionDestination:
        """Return the offline-conversion destination `name`, wired to the emulator or live.

        ``google_data_manager``: the Data Manager connector and the Google Ads conversion
        action; ``meta_capi``: the Meta connector and the pixel. Close it when done.

        Raises:
            EnvironmentConfigError: an unknown name (the message lists the known ones), or
                live without the destination's ids or credentials block.

        """
        builders = {"google_data_manager": self._google_data_manager,
                    "meta_capi": self._meta_capi}
        build = builders.get(name)
        if build is None:
            known = ", ".join(CONVERSION_DESTINATIONS)
            raise EnvironmentConfigError(
                f"no conversion destination {name!r} (known: {known})")
        return build(recorder)

    def _google_data_manager(self, recorder: CallRecorder | None) -> ConversionDestination:
        """Build the Data Manager destination: the conversion action offline deals go to."""
        from connectors.google_data_manager import Destination
        from connectors.google_data_manager.destination import GoogleDataManagerDestination

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
            platform, recorder, emulator_clock=True)
        return GoogleDataManagerDestination(connector, destination)

    def _meta_capi(self, recorder: CallRecorder | None) -> ConversionDestination:
        """Build the Conversions API destination: the pixel Meta events go to."""
        from connectors.meta_ads.capi_destination import MetaCapiDestination

        pixel = self.meta_pixel_id
        if self.name == "sandbox":
            pixel = pixel or SANDBOX_META_PIXEL_ID
        if not pixel:
            raise EnvironmentConfigError(
                "live Meta Conversions API needs CAMPAIGN_OPS_META_PIXEL_ID"
            )
        connector = self._build_connector(
            "meta_ads", recorder, emulator_clock=True)
        return MetaCapiDestination(connector, pixel, test_event_code=self.meta_test_event_code)

    def campaign_writer(
        self, platform: str, *, recorder: CallRecorder | None = None
    ) -> CampaignWriter:
        """Return `platform`'s campaign writer (daily budgets, statuses) on its connector.

        The connector is the one :meth:`connector` builds (live, loopback or in process; in
        process on the emulator's market clock, so today's delivery is the market's today); a
        platform has a writer when its connector package has a ``campaign_writer`` module.
        Close it when done.

        Raises:
            EnvironmentConfigError: no writer for `platform` (the message names those with one).

        """
        from connectors.campaign_writes import writer_class, writer_platforms

        if platform not in writer_platforms():
            known = ", ".join(writer_platforms())
            raise EnvironmentConfigError(
                f"no campaign writer for platform {platform!r} (platforms with one: {known})")
        return writer_class(platform)(
            self._build_connector(platform, recorder, emulator_clock=True))

    def _build_connector(
        self, platform: str, recorder: CallRecorder | None, *, emulator_clock: bool,
    ) -> Any:
        """Build `platform`'s connector: live settings, a loopback emulator, or in process.

        What to build comes from the platform's description (``connectors/<platform>/
        description.py``). In process, ``emulator_clock`` gives the connector the emulator's
        market clock (the write connectors check event-time windows, which must agree with
        the emulator's).
        """
        from connectors.description import describe

        description = describe(platform)
        options: dict[str, Any] = {}
        if self.name == "live":
            settings = _live_settings(self, description)
        else:
            base_url = self.sandbox_urls.get(platform) or description.live_base_url or ""
            settings = description.settings_cls()(
                **sandbox.connector_settings(platform, base_url))
            if platform not in self.sandbox_urls:
                emulator = sandbox.sandbox_emulator(platform)
                options["transport"] = emulator.transport()
                if emulator_clock:
                    options["clock"] = emulator.market.now
        return description.connector_cls()(
            settings,
            recorder=recorder,
            rate_limiters=shared_rate_limiters(platform, description.quota_scope, settings),
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
            sandbox.export_offline_deals(folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
        # Scratch beside the landing files: a read's row file is then linked into place,
        # not copied.
        settings = OfflineConversionsSettings(folder=folder, source_name="offline",
                                              scratch_dir=self.data_dir / "scratch")
        return OfflineConversionsConnector(settings, recorder=recorder)


def _live_settings(environment: Environment, description: PlatformDescription) -> Any:
    """Load the platform's credentials block (default name: the platform, dashed) as settings."""
    platform = description.name
    block_cls = description.block_cls()
    if block_cls is None:
        raise EnvironmentConfigError(f"{platform} declares no credentials block")
    block_name = environment.credential_blocks.get(platform, description.block_name)
    try:
        credentials = block_cls.load(block_name)
    except ValueError as exc:
        raise EnvironmentConfigError(
            f"live {platform} needs a {description.credentials_block} block named "
            f"{block_name!r}: {exc}"
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


_active: Settings | None = None
_active_lock = threading.Lock()


@contextlib.contextmanager
def use_settings(settings: Settings) -> Iterator[Environment]:
    """Make ``current()`` build from ``settings`` in this process while the block runs.

    For runs in this process (``campaign-ops demo`` runs its flows in-process): the CLI hands
    its settings over as an object instead of writing them into ``os.environ``.

    Raises:
        EnvironmentConfigError: the settings describe no usable environment.

    """
    global _active
    environment = from_settings(settings)
    with _active_lock:
        previous, _active = _active, settings
    try:
        yield environment
    finally:
        with _active_lock:
            _active = previous


def current(environ: Mapping[str, str] | None = None) -> Environment:
    """Build the `Environment` of the settings in ``environ`` (default: the process's).

    Inside :func:`use_settings`, and without an explicit ``environ``, those settings win.

    Raises:
        EnvironmentConfigError: a setting is unknown or invalid (the message names it).

    """
    if environ is None and _active is not None:
        return from_settings(_active)
    try:
        settings = load_settings(environ)
    except SettingsError as exc:
        raise EnvironmentConfigError(str(exc)) from None
    return from_settings(settings)


def from_settings(settings: Settings) -> Environment:
    """Build the `Environment` that ``settings`` describe.

    Raises:
        EnvironmentConfigError: the reporting currency is no ISO 4217 code, or the sandbox
            already runs on another day.

    """
    from warehouse.quality.iso4217 import ISO_4217_CODES

    currency = settings.reporting_currency.upper()
    if currency not in ISO_4217_CODES:
        raise EnvironmentConfigError(
            f"CAMPAIGN_OPS_REPORTING_CURRENCY={currency!r} is not an ISO 4217 code"
        )
    if settings.env == "sandbox":
        sandbox.fix_sandbox_day(settings.sandbox_today)
    return Environment(
        name=settings.env,
        warehouse_path=settings.warehouse_path,
        data_dir=settings.data_path,
        reporting_currency=currency,
        sandbox_urls=dict(settings.sandbox_urls) if settings.env == "sandbox" else {},
        credential_blocks=dict(settings.credential_blocks),
        offline_dir=settings.offline_conversions_path,
        store_url=settings.store,
        google_conversions_account_id=settings.google_conversions_account_id,
        google_conversion_action_id=settings.google_conversions_action_id,
        google_conversions_login_account_id=settings.google_conversions_login_account_id,
        meta_pixel_id=settings.meta_pixel_id,
        meta_test_event_code=settings.meta_test_event_code,
    )
