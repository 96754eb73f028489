"""Platform connectors on one shared base (request loop, auth, pagination, retry, errors).

Import the public names from here; ``connectors.blocks`` (Prefect credential blocks) is not
imported by default because importing Prefect is slow.
"""

from __future__ import annotations

from connectors._base import ApiResponse, BaseConnector, Page, utcnow
from connectors.calllog import ApiCall, CallRecorder
from connectors.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    CircuitOpenError,
    ConfigurationError,
    ConnectorError,
    FatalAPIError,
    MalformedResponseError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ReportJobError,
    RequestTimeoutError,
    RetryableAPIError,
    ServerError,
    TokenExpiredError,
    TransportError,
    VersionError,
    is_retryable,
)
from connectors.records import RecordCollector
from connectors.retry import RetryPolicy
from connectors.streams import (
    AccountInfo,
    DateWindow,
    RecordLocation,
    RejectedRecord,
    StreamResult,
    StreamSpec,
)
from connectors.windows import extract_window, yesterday_in

__all__ = [
    "APIError",
    "AccountInfo",
    "ApiCall",
    "ApiResponse",
    "AuthenticationError",
    "BadRequestError",
    "BaseConnector",
    "CallRecorder",
    "CircuitOpenError",
    "ConfigurationError",
    "ConnectorError",
    "DateWindow",
    "FatalAPIError",
    "MalformedResponseError",
    "NotFoundError",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecordCollector",
    "RecordLocation",
    "RejectedRecord",
    "ReportJobError",
    "RequestTimeoutError",
    "RetryPolicy",
    "RetryableAPIError",
    "ServerError",
    "StreamResult",
    "StreamSpec",
    "TokenExpiredError",
    "TransportError",
    "VersionError",
    "extract_window",
    "is_retryable",
    "utcnow",
    "yesterday_in",
]
