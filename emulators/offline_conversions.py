"""The sandbox's offline conversions: a CRM's closed-deal export written into a drop folder.

Sales teams export closed-won deals (often weekly, as CSV) with whatever identifiers the CRM
kept: the email, the phone, and the click id a hidden form field captured. This writes that
export from the population's ``deal`` conversions visible at a time, in the declared schema
of ``connectors.offline_conversions``.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from emulators.population import Population

__all__ = ["export_closed_deals"]

_COLUMNS = ("conversion_id", "occurred_at", "kind", "value", "currency", "email", "phone",
            "gclid", "fbclid", "li_fat_id")


def export_closed_deals(
    population: Population, folder: Path, *, as_of: datetime | None = None, name: str | None = None
) -> Path:
    """Write every deal closed by ``as_of`` (default: the market's now) to one CSV file.

    The file is written under a temporary name and renamed, so a reader never sees half of
    it. Returns the file's path (``deals-<as_of date>.csv`` unless ``name`` is given).
    """
    as_of = as_of or population.market.now()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or f"deals-{as_of.date().isoformat()}.csv")
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(_COLUMNS)
        for person in population.visible(as_of):
            for conversion in person.visible_conversions(as_of):
                if conversion.kind != "deal":
                    continue
                touch = person.touches[conversion.touch_index]
                clicks = {k: "" for k in ("gclid", "fbclid", "li_fat_id")}
                if touch.click_id_param and touch.click_id:
                    clicks[touch.click_id_param] = touch.click_id
                writer.writerow((
                    conversion.id, conversion.at.isoformat().replace("+00:00", "Z"), "deal",
                    f"{conversion.value:.2f}", conversion.currency, person.email,
                    person.phone or "", clicks["gclid"], clicks["fbclid"], clicks["li_fat_id"],
                ))
    partial.replace(target)
    return target
