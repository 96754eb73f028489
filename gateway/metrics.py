"""Prometheus metrics of one gateway app (its own registry, so several apps can coexist).

* ``campaign_ops_gateway_deliveries_total{source,outcome}``: requests and deliveries by
  outcome: ``accepted`` and ``duplicate`` per delivery, ``ignored`` per unmapped item,
  ``rejected`` per refused request;
* ``campaign_ops_gateway_signature_failures_total{source,reason}``: refusals of the
  signature check by reason (``missing_header``, ``bad_signature``, ``stale_timestamp``...);
* ``campaign_ops_gateway_inbox_backlog``: stored deliveries Prefect does not have yet
  (read from the store at scrape time; NaN when the store does not answer);
* ``campaign_ops_gateway_forward_latency_seconds``: acceptance to Prefect accepting the event;
* ``campaign_ops_gateway_forward_attempts_total{outcome}``: posts to Prefect (``ok``/``failed``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from store.errors import StoreError

__all__ = ["CONTENT_TYPE", "GatewayMetrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class GatewayMetrics:
    """The gateway's counters, gauge and histogram in a private registry."""

    def __init__(self, backlog: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "campaign_ops_gateway_deliveries",
            "Webhook deliveries by source and outcome",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.signature_failures = Counter(
            "campaign_ops_gateway_signature_failures",
            "Requests refused by the signature check, by source and reason",
            ["source", "reason"],
            registry=self.registry,
        )
        self.backlog = Gauge(
            "campaign_ops_gateway_inbox_backlog",
            "Stored deliveries not yet accepted by Prefect",
            registry=self.registry,
        )
        self.backlog.set_function(lambda: self._safe(backlog))
        self.forward_latency = Histogram(
            "campaign_ops_gateway_forward_latency_seconds",
            "Seconds from accepting a delivery to Prefect accepting its event",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600),
            registry=self.registry,
        )
        self.forward_attempts = Counter(
            "campaign_ops_gateway_forward_attempts",
            "Posts of event batches to Prefect by outcome",
            ["outcome"],
            registry=self.registry,
        )

    @staticmethod
    def _safe(backlog: Callable[[], int]) -> float:
        try:
            return float(backlog())
        except StoreError:
            return math.nan

    def render(self) -> bytes:
        """Return the Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
