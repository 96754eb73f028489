"""The settings model (pydantic-settings, prefix ``CAMPAIGN_OPS_``) and its loader.

=============================================  =============================================
variable                                       meaning (default)
=============================================  =============================================
``CAMPAIGN_OPS_ENV``                           ``sandbox`` (emulators) or ``live``
``CAMPAIGN_OPS_DATA_DIR``                      landing, quarantine, reports, store (``data``)
``CAMPAIGN_OPS_WAREHOUSE``                     the DuckDB file (``<data dir>/warehouse.duckdb``)
``CAMPAIGN_OPS_STORE_URL``                     operational store (SQLite in the data dir)
``CAMPAIGN_OPS_REPORTING_CURRENCY``            currency of ``*_reporting`` columns (``USD``)
``CAMPAIGN_OPS_OFFLINE_CONVERSIONS_DIR``       the drop folder (``<data dir>/offline_conversions``)
``CAMPAIGN_OPS_SANDBOX_TODAY``                 sandbox: the market's fixed day (wall clock)
``CAMPAIGN_OPS_SANDBOX_URL_<PLATFORM>``        sandbox: a loopback emulator (in-process)
``CAMPAIGN_OPS_<PLATFORM>_BLOCK``              live: the credentials block (the platform, dashed)
``CAMPAIGN_OPS_GOOGLE_CONVERSIONS_*``          ``ACCOUNT_ID``, ``ACTION_ID``, ``LOGIN_ACCOUNT_ID``
``CAMPAIGN_OPS_META_PIXEL_ID``                 the Conversions API dataset
``CAMPAIGN_OPS_META_TEST_EVENT_CODE``          send CAPI events to Test Events only
``CAMPAIGN_OPS_GATEWAY_*``                     the webhook gateway (see ``gateway.settings``)
=============================================  =============================================

``<PLATFORM>`` is a connector package's name in upper case (``META_ADS``); the platforms are
found from the ``connectors`` folder without importing it. Any other ``CAMPAIGN_OPS_*`` name
is an error that names the closest valid one: a misspelt setting never silently does
nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

__all__ = ["ENVIRONMENTS", "PREFIX", "Settings", "SettingsError", "load_settings",
           "platform_names", "variable_name"]

PREFIX = "CAMPAIGN_OPS_"
EnvironmentName = Literal["sandbox", "live"]
ENVIRONMENTS: tuple[EnvironmentName, ...] = ("sandbox", "live")
_SANDBOX_URL = "SANDBOX_URL_"
_BLOCK = "_BLOCK"


class SettingsError(ValueError):
    """The settings are unusable; the message names the variable, never a secret's value."""


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _currency(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise ValueError(f"{value!r} is not a three-letter ISO 4217 code")
    return value


Secrets = Annotated[tuple[SecretStr, ...], NoDecode, BeforeValidator(_comma_list)]
Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]


def _digits(dashes: bool) -> Any:
    def check(value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return None
        digits = text.replace("-", "") if dashes else text
        if not digits.isdigit():
            raise ValueError("is not a numeric id")
        return digits

    return BeforeValidator(check)


Id = Annotated[str | None, _digits(dashes=False)]
DashedId = Annotated[str | None, _digits(dashes=True)]


_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("settings_environ", default=None)


class _MappingSource(EnvSettingsSource):
    """The environment source of pydantic-settings, over a given mapping."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._mapping = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {key.lower(): value for key, value in self._mapping.items()}


class Settings(BaseSettings):
    """Every setting of campaign-ops (the table in the module docstring).

    Build it with :func:`load_settings`, which also reads the per-platform names and refuses
    unknown ones; ``Settings()`` alone reads only the fixed names.
    """

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="forbid", frozen=True,
                                      case_sensitive=False, env_ignore_empty=True)

    env: EnvironmentName = "sandbox"
    data_dir: Path = Path("data")
    warehouse: Path | None = None
    store_url: str | None = None
    reporting_currency: Annotated[str, BeforeValidator(_currency)] = "USD"
    offline_conversions_dir: Path | None = None
    sandbox_today: dt.date | None = None
    sandbox_urls: dict[str, str] = Field(default_factory=dict)
    credential_blocks: dict[str, str] = Field(default_factory=dict)
    google_conversions_account_id: DashedId = None
    google_conversions_action_id: Id = None
    google_conversions_login_account_id: DashedId = None
    meta_pixel_id: Id = None
    meta_test_event_code: str | None = None
    gateway_hubspot_secrets: Secrets = ()
    gateway_meta_secrets: Secrets = ()
    gateway_meta_verify_token: SecretStr | None = None
    gateway_shopify_secrets: Secrets = ()
    gateway_shopify_shops: Names = ()
    gateway_webform_secrets: Secrets = ()
    gateway_public_url: str | None = None
    gateway_max_body_bytes: int | None = None
    gateway_admin_token: SecretStr | None = None
    # Prefect's own variables (no prefix): the gateway posts events with them.
    prefect_api_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PREFECT_API_URL", "prefect_api_url"))
    prefect_api_auth_string: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("PREFECT_API_AUTH_STRING", "prefect_api_auth_string"))
    prefect_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("PREFECT_API_KEY", "prefect_api_key"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read arguments, then the variables (of :func:`load_settings`' mapping if given)."""
        environ = _ENVIRON.get()
        return (init_settings,
                env_settings if environ is None else _MappingSource(settings_cls, environ))

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file, absolute (``<data dir>/warehouse.duckdb`` unless set)."""
        return (self.warehouse or self.data_dir / "warehouse.duckdb").resolve()

    @property
    def data_path(self) -> Path:
        """The data folder, absolute."""
        return self.data_dir.resolve()

    @property
    def store(self) -> str:
        """The operational store's URL (one default for flows and gateway alike)."""
        return self.store_url or f"sqlite:///{self.data_path / 'store.sqlite'}"

    @property
    def offline_conversions_path(self) -> Path:
        """The drop folder, absolute."""
        return (self.offline_conversions_dir or self.data_dir / "offline_conversions").resolve()


def platform_names() -> tuple[str, ...]:
    """Return the connector packages (the platforms), found without importing ``connectors``."""
    spec = importlib.util.find_spec("connectors")
    folders = spec.submodule_search_locations if spec is not None else None
    names: set[str] = set()
    for folder in folders or ():
        for entry in Path(folder).iterdir():
            if entry.is_dir() and not entry.name.startswith("_") and (
                entry / "__init__.py").is_file():
                names.add(entry.name)
    return tuple(sorted(names))


def variable_name(field: str) -> str:
    """Return the environment variable of a settings field.

    ``store_url`` -> ``CAMPAIGN_OPS_STORE_URL``; the ``prefect_*`` fields have Prefect's
    own names.
    """
    return _variable(field)


def _variable(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return PREFIX + field.upper()


def _fixed_names() -> dict[str, str]:
    return {_variable(f): f for f in Settings.model_fields
            if f not in ("sandbox_urls", "credential_blocks")}


def _split(environ: Mapping[str, str], platforms: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Return the per-platform settings; refuse any unknown ``CAMPAIGN_OPS_*`` name."""
    fixed = _fixed_names()
    valid = [*fixed, *(f"{PREFIX}{_SANDBOX_URL}{p.upper()}" for p in platforms),
             *(f"{PREFIX}{p.upper()}{_BLOCK}" for p in platforms)]
    per_platform: dict[str, dict[str, str]] = {"sandbox_urls": {}, "credential_blocks": {}}
    for key, value in environ.items():
        name = key.upper()
        if not name.startswith(PREFIX) or name in fixed:
            continue
        rest = name.removeprefix(PREFIX)
        url_of = rest.removeprefix(_SANDBOX_URL).lower()
        block_of = rest.removesuffix(_BLOCK).lower()
        if rest.startswith(_SANDBOX_URL) and url_of in platforms:
            if value.strip():
                per_platform["sandbox_urls"][url_of] = value.strip()
            continue
        if rest.endswith(_BLOCK) and block_of in platforms:
            if value.strip():
                per_platform["credential_blocks"][block_of] = value.strip()
            continue
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise SettingsError(f"{name} is not a campaign-ops setting{hint}")
    return per_platform


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from ``environ`` (default: the process environment).

    Args:
        environ: the variables.
        overrides: settings given explicitly (CLI options), winning over the variables.

    Raises:
        SettingsError: an unknown ``CAMPAIGN_OPS_*`` name (with the closest valid one), or a
            value that is not valid (the message names the variable, not the value).

    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = dict(_split(environ, platform_names()))
    values.update({k: v for k, v in overrides.items() if v is not None})
    token = _ENVIRON.set(environ)
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        where = _variable(field) if field in Settings.model_fields else (field or "settings")
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{where}: {message}") from None
    finally:
        _ENVIRON.reset(token)


