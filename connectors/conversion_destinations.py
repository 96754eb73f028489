"""One interface for every place offline conversions are pushed to.

The push task (``tasks.push_conversions``) plans with neutral conversions
(``marketing.conversion_uploads``) and then talks to a :class:`ConversionDestination` without
knowing which platform is behind it. Each destination lives in its connector's folder:

- ``google_data_manager``: ``connectors.google_data_manager.destination``
- ``meta_capi``: ``connectors.meta_ads.capi_destination``

A destination declares its :class:`DestinationRules` (what the planner must check: how old
an event may be, which identifiers it takes and how its platform formats them), builds its
wire event from a :class:`PlannedConversion` (identifiers normalised and hashed per its
platform's rules), and sends batches, answering with a neutral :class:`SendResult`::

    destination.rules                      name, title, max_event_age, click_id, batch_size...
    destination.describe()                 "Meta Conversions API pixel 880000000000001"
    destination.now()                      the instant its age limits are measured from
    destination.wire_event(conversion)     the JSON the platform receives (hashed identifiers)
    destination.send(batch)                SendResult(accepted, rejected, request_ids, test)
    destination.close()

Errors: ``send`` raises the connector errors (``connectors.errors``):
``BadRequestError`` when the platform refused the batch as invalid, any other
``ConnectorError`` when it could not be delivered (retries exhausted, auth, permissions).
An event the destination cannot send at all (no usable identifier, too old, in the future)
is not an error: it is in ``SendResult.rejected`` with the reason.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

__all__ = [
    "ConversionDestination",
    "DestinationRules",
    "PlannedConversion",
    "RejectedConversion",
    "SendResult",
]


@dataclass(frozen=True)
class DestinationRules:
    """What one destination accepts: plain values and its platform's identifier formatting.

    Attributes:
        name: the destination's name in the upload ledger (``google_data_manager``).
        title: the platform as messages name it (``Google``).
        max_event_age: the oldest conversion it takes, measured from :meth:`now`.
        age_window: what that limit is called (``click-through window``).
        click_id: the click id type it identifies a click by (``gclid``, ``fbclid``).
        identifiers: the identifiers it can use, in the order messages name them.
        batch_size: events per request (the platform's limit).
        email: formats an email per the platform; None when it cannot use it.
        phone: formats a phone per the platform (with a default country code); None when it
            cannot use it.

    """

    name: str
    title: str
    max_event_age: timedelta
    age_window: str
    click_id: str
    identifiers: tuple[str, ...]
    batch_size: int
    email: Callable[[str | None], str | None]
    phone: Callable[[str | None, str | None], str | None]


class PlannedConversion(Protocol):
    """One conversion planned for one destination, as the destination reads it.

    Any object with these attributes will do (``marketing.conversion_uploads.PlannedUpload``
    is one): identifiers are raw (the destination formats and hashes them), ``click_id`` is
    the click id of the destination's own type, ``currency`` an upper-case ISO 4217 code.
    """

    @property
    def event_id(self) -> str:
        """The platforms' dedup id (Meta ``event_id``, Google ``transactionId``)."""
        ...

    @property
    def kind(self) -> str:
        """The conversion's kind (``deal``, ``store_sale``, ``order``, ``lead``...)."""
        ...

    @property
    def occurred_at(self) -> datetime:
        """When it happened (timezone-aware)."""
        ...

    @property
    def value(self) -> Decimal | None:
        """Its value, if any."""
        ...

    @property
    def currency(self) -> str | None:
        """Upper-case ISO 4217 code of ``value``."""
        ...

    @property
    def email(self) -> str | None:
        """The raw email, if the destination can use it."""
        ...

    @property
    def phone(self) -> str | None:
        """The raw phone, if the destination can use it."""
        ...

    @property
    def click_id(self) -> str | None:
        """The click id of the destination's type (gclid, fbclid), if any."""
        ...

    @property
    def clicked_at(self) -> datetime | None:
        """When that click happened, if known."""
        ...


@dataclass(frozen=True)
class RejectedConversion:
    """An event the destination did not send, and why."""

    event_id: str
    reason: str


@dataclass
class SendResult:
    """What one ``send`` did.

    Attributes:
        accepted: event ids the platform took (every sent event: the platforms answer per
            request, not per event).
        rejected: events not sent, with the reason.
        request_ids: the platform's id of each request (Google request id, Meta
            ``fbtrace_id``).
        test: the events went to the platform's test tool and will not count: do not
            record them as sent.

    """

    accepted: list[str] = field(default_factory=list)
    rejected: list[RejectedConversion] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    test: bool = False


class ConversionDestination(ABC):
    """Somewhere offline conversions go; one subclass per destination platform."""

    rules: DestinationRules

    @property
    def name(self) -> str:
        """The destination's name in the upload ledger."""
        return self.rules.name

    @property
    def batch_size(self) -> int:
        """Events per request."""
        return self.rules.batch_size

    @property
    def max_event_age(self) -> timedelta:
        """The oldest conversion the destination takes."""
        return self.rules.max_event_age

    @abstractmethod
    def describe(self) -> str:
        """Say where the events go (account, conversion action, pixel), for messages."""

    @abstractmethod
    def now(self) -> datetime:
        """Return the current instant as the destination measures event ages (UTC-aware)."""

    @abstractmethod
    def wire_event(self, conversion: PlannedConversion) -> dict[str, Any]:
        """Return the JSON the platform receives for ``conversion`` (hashed identifiers).

        Raises:
            ValueError: the destination cannot send it (the message says why).

        """

    @abstractmethod
    def send(self, batch: Sequence[PlannedConversion]) -> SendResult:
        """Send one batch (in requests of at most ``batch_size`` events).

        Raises:
            BadRequestError: the platform refused the batch as invalid.
            ConnectorError: the batch could not be delivered.

        """

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> ConversionDestination:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
