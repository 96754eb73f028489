"""Constructors for the standard checks, so a suite reads as a list of data."""

from __future__ import annotations

from warehouse.quality.iso4217 import ISO_4217_CODES
from warehouse.spec import CheckKind, CheckSpec, Severity

__all__ = [
    "clicks_le_impressions",
    "freshness",
    "keys_not_null",
    "known_currency",
    "natural_key_unique",
    "no_rejected_records",
    "non_negative",
    "part_le_total",
    "rejected_records_reported",
    "row_count_vs_previous",
]


def keys_not_null(*columns: str) -> CheckSpec:
    """ERROR when any key column is NULL."""
    return CheckSpec("keys_not_null", CheckKind.NOT_NULL, Severity.ERROR, columns)


def natural_key_unique(*columns: str) -> CheckSpec:
    """ERROR when two staged rows share the natural key (the merge would be ambiguous)."""
    return CheckSpec("natural_key_unique", CheckKind.UNIQUE, Severity.ERROR, columns)


def non_negative(*columns: str) -> CheckSpec:
    """ERROR when a metric is negative."""
    return CheckSpec("metrics_non_negative", CheckKind.NON_NEGATIVE, Severity.ERROR, columns)


def clicks_le_impressions(clicks: str = "clicks", impressions: str = "impressions") -> CheckSpec:
    """ERROR when a row has more clicks than impressions."""
    return CheckSpec(
        "clicks_le_impressions", CheckKind.NOT_GREATER, Severity.ERROR, (clicks, impressions)
    )


def part_le_total(part: str, total: str) -> CheckSpec:
    """WARN when a row's part (view-through value) exceeds its total (conversion value).

    WARN, not ERROR: the platform reports both, and a part over its total says its
    attribution windows disagree, not that the row's spend or total is wrong.
    """
    return CheckSpec(f"{part}_le_{total}", CheckKind.NOT_GREATER, Severity.WARN, (part, total))


def known_currency(column: str = "currency") -> CheckSpec:
    """ERROR when a currency is not an ISO 4217 code."""
    return CheckSpec(
        "currency_known",
        CheckKind.IN_SET,
        Severity.ERROR,
        (column,),
        {"values": tuple(sorted(ISO_4217_CODES))},
    )


def freshness(column: str = "date", days: int = 3) -> CheckSpec:
    """WARN when the newest date is more than ``days`` before the extract window's end."""
    return CheckSpec("freshness", CheckKind.FRESHNESS, Severity.WARN, (column,), {"days": days})


def row_count_vs_previous(min_ratio: float = 0.5) -> CheckSpec:
    """WARN when the batch has fewer rows than ``min_ratio`` x the previous published load."""
    return CheckSpec(
        "row_count_vs_previous",
        CheckKind.ROW_COUNT_VS_PREVIOUS,
        Severity.WARN,
        (),
        {"min_ratio": min_ratio},
    )


def no_rejected_records() -> CheckSpec:
    """ERROR when the connector rejected any record of the batch (it would be silently lost)."""
    return CheckSpec("no_rejected_records", CheckKind.NO_REJECTS, Severity.ERROR)


def rejected_records_reported() -> CheckSpec:
    """WARN when the source rejected records: the good rows publish, the rejects are set aside.

    For hand-made sources (a drop folder of exports) where one bad line must not hold back the
    rest; the rejects stay with the batch's landing files and are copied to the quarantine.
    """
    return CheckSpec("rejected_records", CheckKind.NO_REJECTS, Severity.WARN)
