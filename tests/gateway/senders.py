"""Test senders: sign requests the way each platform does, with independent reference code.

The web form signer is the `standardwebhooks` package and the HubSpot signer is the official
`hubspot-api-client` (`hubspot.utils.signature.Signature`), so a mistake in the gateway's
own implementation of either scheme cannot be mirrored here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hubspot.utils.signature import Signature
from standardwebhooks import Webhook

HUBSPOT_SECRET = "hubspot-client-secret-0001"
HUBSPOT_SECRET_NEW = "hubspot-client-secret-0002"
META_SECRET = "meta-app-secret-0001"
META_SECRET_NEW = "meta-app-secret-0002"
META_VERIFY_TOKEN = "meta-verify-token"
SHOPIFY_SECRET = "shopify-client-secret-0001"
SHOPIFY_SECRET_NEW = "shopify-client-secret-0002"
WEBFORM_SECRET = "whsec_" + base64.b64encode(b"webform-secret-key-0001!").decode()
WEBFORM_SECRET_NEW = "whsec_" + base64.b64encode(b"webform-secret-key-0002!").decode()
SHOP_DOMAIN = "demo-shop.myshopify.com"
WRONG_WEBFORM_SECRET = "whsec_" + base64.b64encode(b"not-the-configured-key!!").decode()


def settings_kwargs(**extra: Any) -> dict[str, Any]:
    """Settings with one secret per source (and the verify token)."""
    return {
        "hubspot_client_secrets": (HUBSPOT_SECRET,),
        "meta_app_secrets": (META_SECRET,),
        "meta_verify_token": META_VERIFY_TOKEN,
        "shopify_secrets": (SHOPIFY_SECRET,),
        "shopify_shop_domains": (SHOP_DOMAIN,),
        "webform_secrets": (WEBFORM_SECRET,),
        **extra,
    }


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def sign_webform(
    body: bytes, *, secret: str = WEBFORM_SECRET, msg_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, str]:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def sign_webform_bytes(body: bytes, *, secret: str = WEBFORM_SECRET) -> dict[str, str]:
    """Sign bytes that are not text (standardwebhooks only signs str), as a buggy sender would."""
    headers = sign_webform(b"", secret=secret)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    digest = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return {**headers, "webhook-signature": f"v1,{digest}"}


def sign_hubspot(
    body: bytes, uri: str, *, secret: str = HUBSPOT_SECRET, at: datetime | None = None,
    method: str = "POST",
) -> dict[str, str]:
    at = at or datetime.now(UTC)
    timestamp = str(int(at.timestamp() * 1000))
    signature = Signature.get_signature(secret, body.decode(), "v3", uri, method, timestamp)
    return {
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": timestamp,
        "content-type": "application/json",
    }


def sign_hubspot_bytes(body: bytes, uri: str, *, secret: str = HUBSPOT_SECRET) -> dict[str, str]:
    """HubSpot v3 over bytes that may not be text (the SDK signs str)."""
    timestamp = str(int(datetime.now(UTC).timestamp() * 1000))
    message = b"POST" + uri.encode() + body + timestamp.encode()
    digest = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())
    return {
        "X-HubSpot-Signature-v3": digest.decode(),
        "X-HubSpot-Request-Timestamp": timestamp,
        "content-type": "application/json",
    }


def sign_meta(body: bytes, *, secret: str = META_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def sign_shopify(
    body: bytes, *, secret: str = SHOPIFY_SECRET, at: datetime | None = None,
    event_id: str | None = None, topic: str = "orders/create",
) -> dict[str, str]:
    at = at or datetime.now(UTC)
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-Shopify-Hmac-Sha256": digest,
        # Shopify sends nanoseconds.
        "X-Shopify-Triggered-At": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "content-type": "application/json",
    }


def form_body(email: str = "ada.meyer@example.com", **data: Any) -> bytes:
    return dumps({
        "type": "form.submitted",
        "timestamp": "2026-11-26T09:59:00Z",
        "data": {
            "form_id": "demo-request",
            "email": email,
            "first_name": "Ada",
            "last_name": "Meyer",
            "phone": "+4930123456",
            "consent": True,
            "utm": {"source": "google", "medium": "cpc", "campaign": "brand"},
            "click_ids": {"gclid": "Cj0KCQ-test-gclid"},
            "ga_client_id": "1234567890.1700000000",
            "page_url": "https://www.example.com/demo?utm_source=google",
            **data,
        },
    })


def hubspot_body(*events: dict[str, Any]) -> bytes:
    return dumps(list(events))


def hubspot_event(event_id: int = 101, **fields: Any) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionId": 2001,
        "portalId": 62515,
        "appId": 3001,
        "occurredAt": 1764150000000,
        "subscriptionType": "contact.creation",
        "attemptNumber": 0,
        "objectId": 5001,
        "changeSource": "FORM",
        **fields,
    }


def meta_body(leadgen_id: str = "444444444444", **value: Any) -> bytes:
    return dumps({
        "object": "page",
        "entry": [{
            "id": "123456789",
            "time": 1764150000,
            "changes": [{
                "field": "leadgen",
                "value": {
                    "leadgen_id": leadgen_id,
                    "page_id": "123456789",
                    "form_id": "987654321",
                    "ad_id": "23850000000000001",
                    "adgroup_id": "23850000000000002",
                    "created_time": 1764150000,
                    **value,
                },
            }],
        }],
    })


def order_body(order_id: int = 820982911946154508, **fields: Any) -> bytes:
    """An ``orders/create`` body as Shopify sends it (trimmed), created a minute ago."""
    created = (datetime.now(UTC) - timedelta(minutes=1)).astimezone(timezone(timedelta(hours=1)))
    return dumps({
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": "#1001",
        "order_number": 1001,
        "email": "jon.okafor@example.org",
        "created_at": created.isoformat(timespec="seconds"),
        "updated_at": created.isoformat(timespec="seconds"),
        "total_price": "199.00",
        "currency": "EUR",
        "financial_status": "paid",
        "line_items": [{"id": 866550311766439020, "title": "Starter kit", "quantity": 1,
                        "price": "199.00", "sku": "KIT-1"}],
        "landing_site": "/shop?utm_source=facebook&utm_medium=paid_social&fbclid=IwAR-test",
        "customer": {"id": 115310627314723954, "email": "jon.okafor@example.org"},
        **fields,
    })


def now_minus(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)
