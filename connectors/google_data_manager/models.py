"""The conversions the Data Manager connector sends, and what a send reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = ["Consent", "ConversionEvent", "Destination", "IngestRejected", "IngestResult"]


@dataclass(frozen=True)
class Destination:
    """Where conversions go: a Google Ads account and one of its conversion actions.

    Attributes:
        account_id: the Google Ads customer id (dashes allowed, removed on the wire).
        conversion_action_id: the conversion action id (``productDestinationId``).
        login_account_id: the manager account the call goes through, if any.

    """

    account_id: str
    conversion_action_id: str
    login_account_id: str | None = None


@dataclass(frozen=True)
class Consent:
    """EEA consent signals: True granted, False denied, None unspecified."""

    ad_user_data: bool | None = None
    ad_personalization: bool | None = None


@dataclass(frozen=True)
class ConversionEvent:
    """One offline conversion, with raw (unhashed) identifiers.

    Attributes:
        transaction_id: the idempotency key: Google counts one conversion per id.
        occurred_at: when the conversion happened (timezone-aware).
        gclid: the click id, if known.
        email: raw email, formatted and hashed here.
        phone: raw phone, formatted to E.164 and hashed here.
        value: conversion value.
        currency: ISO 4217 code of ``value``.
        consent: per-event consent (else the request's).

    """

    transaction_id: str
    occurred_at: datetime
    gclid: str | None = None
    email: str | None = None
    phone: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    consent: Consent | None = None


@dataclass(frozen=True)
class IngestRejected:
    """An event not sent, and why."""

    transaction_id: str
    reason: str


@dataclass
class IngestResult:
    """What a send did: events sent, requests made (with Google's request ids), rejects."""

    sent: int = 0
    requests: int = 0
    request_ids: list[str] = field(default_factory=list)
    rejected: list[IngestRejected] = field(default_factory=list)
    validate_only: bool = False
