"""The Google Data Manager API emulator: ``POST /v1/events:ingest`` and the OAuth token URL.

Order of checks: token endpoint -> route (404 NOT_FOUND) -> access token (401
UNAUTHENTICATED) -> injected fault -> request validation (400 INVALID_ARGUMENT with field
violations) -> ingestion. No developer token: Data Manager needs only OAuth. The log of what
was received and counted is ``emulator.ingest_log``.
"""

from __future__ import annotations

import json

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply
from emulators.faults import FaultConfig
from emulators.google_ads.auth import TokenStore, token_reply
from emulators.google_data_manager import errors
from emulators.google_data_manager.errors import RpcError
from emulators.google_data_manager.ingest import IngestLog
from emulators.market import Market
from emulators.quota import QuotaConfig

PLATFORM = "google_data_manager"
INGEST_PATH = "/v1/events:ingest"
_JSON = {"content-type": "application/json; charset=UTF-8"}


class GoogleDataManagerEmulator(Emulator):
    """Stateful ``events:ingest`` emulator.

    Args:
        market: the market whose clock it uses (default ``Market()``).
        faults: fault injection (default: none).
        quota: declared quotas (default ``QuotaConfig()``).
        tokens: accepted OAuth client, refresh and access tokens (Google Ads' sandbox ones).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        tokens: TokenStore | None = None,
    ) -> None:
        super().__init__(market, faults, quota)
        self.tokens = tokens or TokenStore()
        self.ingest_log = IngestLog()

    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (see the module docstring for the order of checks)."""
        path = request.url.path.rstrip("/")
        if path == "/token" and request.method == "POST":
            return self._token_endpoint(request)
        if path != INGEST_PATH or request.method != "POST":
            return _error(errors.not_found(path))
        try:
            who = self._authenticate(request)
        except RpcError as refused:
            return _error(refused)
        fault = self.faults.draw(set(fk.KINDS) - fk.DATA_KINDS, path)
        if fault == fk.HTTP_429:
            busy = RpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric "
                           "'Ingest requests' and limit 'Ingest requests per minute'.")
            return Reply(_error(busy).response, fault=fault, who=who)
        if fault in (fk.HTTP_500, fk.HTTP_503, fk.THROTTLE, fk.EXPIRED_TOKEN):
            down = (RpcError(500, "INTERNAL", "Internal error encountered.")
                   if fault == fk.HTTP_500 else
                   RpcError(503, "UNAVAILABLE", "The service is currently unavailable."))
            return Reply(_error(down).response, fault=fault, who=who)
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            garbled = errors.invalid_argument([("", "Invalid JSON payload received.")])
            return Reply(_error(garbled).response, fault=fault, who=who)
        try:
            answer = self.ingest_log.ingest(body, self.market.now())
        except RpcError as err:
            return Reply(_error(err).response, fault=fault, who=who)
        response = httpx.Response(200, headers=_JSON, json=answer)
        if fault == fk.MALFORMED_JSON:
            response = httpx.Response(200, headers=_JSON, content=response.content[:5])
        delay = self.faults.config.timeout_delay if fault == fk.TIMEOUT else 0.0
        return Reply(response, delay=delay, fault=fault, who=who)

    def _authenticate(self, request: httpx.Request) -> str:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            raise errors.unauthenticated(expired=False)
        token = auth[7:].strip()
        state = self.tokens.state(token, self.market.now())
        if state != "valid":
            raise errors.unauthenticated(expired=state == "expired")
        return self.tokens.who(token)

    def _token_endpoint(self, request: httpx.Request) -> Reply:
        return token_reply(self.tokens, request, self.market.now(),
                           scope="https://www.googleapis.com/auth/datamanager",
                           content_type=_JSON["content-type"])


def _error(err: RpcError) -> Reply:
    return Reply(httpx.Response(err.http, headers=_JSON, json=err.body()))
