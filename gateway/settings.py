"""GatewaySettings: everything the gateway needs, passed in (never read from the environment).

``gateway.serve.settings_from_environ`` is the one place that builds them from environment
variables (the CLI edge). Each source takes a tuple of secrets: during a rotation configure
the old and the new one, and a delivery signed with either is accepted.
"""

from __future__ import annotations

import base64
import binascii
import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from store.engine import DEFAULT_STORE_URL

__all__ = ["GatewaySettings", "decode_webform_secret"]

_WHSEC = "whsec_"
_HTTP_URL = re.compile(r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")
_SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$")


def decode_webform_secret(secret: str) -> bytes:
    """Return the HMAC key of a Standard Webhooks secret ``whsec_<base64>``.

    Raises:
        ValueError: the secret is not ``whsec_`` followed by non-empty base64 (the message
            never contains the secret).

    """
    if not secret.startswith(_WHSEC):
        raise ValueError("a web form secret must start with 'whsec_'")
    try:
        key = base64.b64decode(secret[len(_WHSEC):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a web form secret must be 'whsec_' followed by base64") from None
    if len(key) < 16:
        raise ValueError("a web form secret must hold at least 16 bytes of key")
    return key


class GatewaySettings(BaseModel):
    """How the gateway verifies, stores and forwards deliveries.

    Attributes:
        store_url: SQLAlchemy URL of the operational store holding the inbox.
        prefect_api_url: Prefect API (``http://127.0.0.1:4200/api``); None stores
            deliveries without forwarding them (they wait in the inbox).
        prefect_api_auth_string: ``user:password`` when the server uses basic auth.
        prefect_api_key: API key (Prefect Cloud / servers behind a bearer proxy).
        hubspot_client_secrets: HubSpot app client secrets (v3 signatures).
        meta_app_secrets: Meta app secrets (``X-Hub-Signature-256``).
        meta_verify_token: the token Meta's subscription handshake must present.
        shopify_secrets: Shopify app client secrets (``X-Shopify-Hmac-Sha256``).
        shopify_shop_domains: the shops (``your-shop.myshopify.com``) whose webhooks are
            accepted; required with ``shopify_secrets``, because Shopify does not sign
            ``X-Shopify-Shop-Domain`` and one app secret serves every shop the app is in.
        webform_secrets: Standard Webhooks secrets of our web forms (``whsec_...``).
        public_base_url: the scheme and host senders call (``https://hooks.example.com``)
            when the gateway sits behind a proxy; HubSpot signs the full URL it called.
        max_body_bytes: larger bodies are refused with 413 while they stream in.
        admin_token: when set, ``/metrics``, ``/docs``, ``/redoc`` and ``/openapi.json``
            answer only requests carrying ``Authorization: Bearer <token>`` (at least 16
            characters); unset, they are open to whoever reaches the port.
        tolerance_seconds: how far a signed timestamp may lie in the past or the future
            (HubSpot, web forms; Shopify's future side).
        shopify_max_age_seconds: how old an order's signed ``created_at`` (and the unsigned
            ``X-Shopify-Triggered-At``) may be. Shopify retries a failed delivery 8 times
            over 4 hours, so the default keeps those retries and refuses older orders
            announced as new (replays).
        forward_batch: events posted to Prefect per request.
        forward_interval_seconds: how often the forwarder looks for due rows when idle.
        forward_timeout_seconds: timeout of one post to Prefect.
        forward_lease_seconds: how long a claimed row is hidden from other forwarders.
        retry_initial_seconds: wait after a first failed forward (doubling per attempt).
        retry_max_seconds: longest wait between forward attempts.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    store_url: str = DEFAULT_STORE_URL
    prefect_api_url: str | None = None
    prefect_api_auth_string: SecretStr | None = None
    prefect_api_key: SecretStr | None = None
    hubspot_client_secrets: tuple[SecretStr, ...] = ()
    meta_app_secrets: tuple[SecretStr, ...] = ()
    meta_verify_token: SecretStr | None = None
    shopify_secrets: tuple[SecretStr, ...] = ()
    shopify_shop_domains: tuple[str, ...] = ()
    webform_secrets: tuple[SecretStr, ...] = ()
    public_base_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+/?$")
    admin_token: SecretStr | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    tolerance_seconds: int = Field(default=300, ge=1, le=86_400)
    shopify_max_age_seconds: int = Field(default=6 * 3600, ge=1, le=7 * 86_400)
    forward_batch: int = Field(default=100, ge=1, le=1000)
    forward_interval_seconds: float = Field(default=2.0, gt=0, le=3600)
    forward_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    forward_lease_seconds: float = Field(default=30.0, gt=0, le=3600)
    retry_initial_seconds: float = Field(default=1.0, gt=0, le=3600)
    retry_max_seconds: float = Field(default=60.0, gt=0, le=86_400)

    @field_validator(
        "hubspot_client_secrets", "meta_app_secrets", "shopify_secrets", "webform_secrets"
    )
    @classmethod
    def _no_empty_secret(cls, secrets: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for number, secret in enumerate(secrets, start=1):
            if not secret.get_secret_value().strip():
                raise ValueError(f"secret #{number} is empty")
        return secrets

    @field_validator("webform_secrets")
    @classmethod
    def _whsec(cls, secrets: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for number, secret in enumerate(secrets, start=1):
            try:
                decode_webform_secret(secret.get_secret_value())
            except ValueError as exc:
                raise ValueError(f"web form secret #{number}: {exc}") from None
        return secrets

    @field_validator("prefect_api_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not _HTTP_URL.match(url):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:4200/api "
                             "(credentials go in PREFECT_API_AUTH_STRING or PREFECT_API_KEY)")
        return url

    @field_validator("shopify_shop_domains")
    @classmethod
    def _shop_domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(d.strip().lower() for d in domains)
        for number, domain in enumerate(cleaned, start=1):
            if not _SHOP_DOMAIN.match(domain):
                raise ValueError(f"shop #{number} is not a <name>.myshopify.com domain")
        return cleaned

    @field_validator("admin_token")
    @classmethod
    def _long_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value().strip()) < 16:
            raise ValueError("the admin token must hold at least 16 characters")
        return token

    @model_validator(mode="after")
    def _shops_with_shopify(self) -> GatewaySettings:
        if self.shopify_secrets and not self.shopify_shop_domains:
            raise ValueError(
                "shopify_shop_domains: list the shops (<name>.myshopify.com) whose webhooks "
                "are accepted; Shopify does not sign X-Shopify-Shop-Domain"
            )
        return self

    def webform_keys(self) -> tuple[bytes, ...]:
        """Return the HMAC keys of the web form secrets."""
        return tuple(decode_webform_secret(s.get_secret_value()) for s in self.webform_secrets)
