"""Google Ads error bodies: the RPC status plus the ``GoogleAdsFailure`` detail.

Sample (HTTP 429, a throttle)::

    {"error": {
        "code": 429, "status": "RESOURCE_EXHAUSTED", "message": "...",
        "details": [{
            "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
            "errors": [{"errorCode": {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                        "message": "...",
                        "details": {"quotaErrorDetails": {"retryDelay": "30s"}}}],
            "requestId": "..."}]}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connectors.google_ads import settings as C
from connectors.google_rpc import RpcError, read_rpc_error

__all__ = ["GoogleError", "read_google_error"]

_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


@dataclass(frozen=True)
class GoogleError:
    """The parts of a Google Ads error body the classification reads.

    Attributes:
        rpc: the RPC error (status, message, reasons).
        message: the RPC message followed by the first Ads error's message.
        category: the first Ads error's category (``quotaError``...).
        code: its enum value.
        retry_delay: the first ``quotaErrorDetails.retryDelay``, in seconds.
        ads_failure: whether the body carries a ``GoogleAdsFailure`` (Google Ads answered,
            not a front end that does not know the URL).

    """

    rpc: RpcError
    message: str
    category: str | None = None
    code: str | None = None
    retry_delay: float | None = None
    ads_failure: bool = False


def read_google_error(body: Any, http_status: int) -> GoogleError:
    """Read a decoded Google Ads error body (tolerant: any missing part is None).

    Args:
        body: the decoded JSON (None when the body was not JSON).
        http_status: the answer's HTTP status.

    """
    rpc = read_rpc_error(body, http_status)
    message = rpc.message
    category = code = None
    delay: float | None = None
    ads_failure = False
    for detail in rpc.details:
        if not str(detail.get("@type", "")).endswith(C.FAILURE_TYPE_SUFFIX):
            continue
        ads_failure = True
        for entry in detail.get("errors") or []:
            if not isinstance(entry, dict):
                continue
            codes = entry.get("errorCode")
            if category is None and isinstance(codes, dict) and codes:
                category, value = next(iter(codes.items()))
                code = str(value)
                message = f"{message} {entry.get('message', '')}".strip()
            quota = (entry.get("details") or {}).get("quotaErrorDetails") or {}
            found = _DELAY.match(str(quota.get("retryDelay", "")))
            if found and delay is None:
                delay = float(found[1])
    return GoogleError(rpc, message, category, code, delay, ads_failure)
