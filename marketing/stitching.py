"""Stitching: touchpoints and conversions from every source into per-person journeys.

Reads the warehouse's core tables through a DuckDB connection and returns the two tables the
attribution models take (:func:`marketing.attribution.journeys_from_touches`): touches
(journey_id, position, channel, campaign, touched_at) and outcomes (journey_id, converted,
conversions, value, converted_at). No Prefect, no HTTP, no writes.

How a person is found: a touchpoint or conversion that carries a person key keeps it; one
that carries an anonymous id (a GA4 client id) or a click id (gclid, fbclid, li_fat_id) takes
the person key an identity link gives that id (the form that captured the client id, the
order whose landing URL carried the gclid); anything else stays an anonymous person of its
own (``anon:<id>``), so an unidentified visitor's sessions still form a journey.

How journeys are cut: each conversion's journey holds the person's touches before it, after
the previous conversion of the same kind, and inside the lookback window (``lookback_days``,
or ``acquisition_lookback_days`` for leads: an acquisition is explained by recent touches).
Touches after a person's last conversion in the period form one non-converting journey
(the paths Markov models need). The same conversion reported by two sources (a CRM deal and
the offline export of it) counts once: same person, kind, day and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

__all__ = ["IDENTITY_LINKS_CTE", "JOURNEY_TOUCH_KINDS", "StitchedJourneys", "StitchingError",
           "stitch_journeys"]

JOURNEY_TOUCH_KINDS = ("session", "click", "view")
"""Touchpoint kinds that make up paths (a form submission is the lead itself, not a touch)."""


class StitchingError(ValueError):
    """The stitching request cannot be answered (bad window, empty period)."""


@dataclass(frozen=True)
class StitchedJourneys:
    """Journeys ready for the models, and what the stitching could not use.

    Attributes:
        touches: journey_id, position, channel, campaign, touched_at.
        outcomes: journey_id, converted, conversions, value, converted_at, kind.
        window: the lookback rule used, in words (for the report).
        conversions_without_touches: conversions with no touch in their window (left out of
            the model inputs: no path can explain them; reported, never silently dropped).
        duplicate_conversions: conversions counted once because another source had them.

    """

    touches: pd.DataFrame
    outcomes: pd.DataFrame
    window: str
    conversions_without_touches: int
    duplicate_conversions: int


IDENTITY_LINKS_CTE = """links AS (
    -- one person per identifier: the earliest link wins when two people share an id
    SELECT id_type, id_value, arg_min(person_key, first_seen_at) AS person_key
    FROM core.identity_links
    GROUP BY ALL
)"""
"""The ``links`` CTE: one person per identifier (an anonymous id, a click id, a CRM id); when
two people share an identifier the earliest link wins. Every query that resolves people
through identity links starts ``WITH {IDENTITY_LINKS_CTE}, ...``."""

_SQL = f"""
WITH {IDENTITY_LINKS_CTE},
touch AS (
    SELECT t.platform || ':' || t.touchpoint_id AS touch_id, t.occurred_at,
           coalesce(t.person_key, a.person_key, c.person_key,
                    'anon:' || coalesce(t.anonymous_id, t.platform || ':' || t.touchpoint_id))
               AS person,
           coalesce(t.channel, 'other') AS channel,
           coalesce(t.campaign_id, t.campaign_name) AS campaign
    FROM core.touchpoints AS t
    LEFT JOIN links AS a ON a.id_type = 'client_id' AND a.id_value = t.anonymous_id
    LEFT JOIN links AS c ON c.id_type = t.click_id_type AND c.id_value = t.click_id
    WHERE t.kind IN (SELECT unnest($touch_kinds))
      AND t.occurred_at < $period_end
),
conv_all AS (
    SELECT v.platform || ':' || v.conversion_id AS conversion_id, v.occurred_at, v.kind,
           coalesce(v.person_key, a.person_key, c.person_key,
                    'anon:' || coalesce(v.anonymous_id, v.platform || ':' || v.conversion_id))
               AS person,
           coalesce(v.value_reporting, 0) AS value
    FROM core.conversions AS v
    LEFT JOIN links AS a ON a.id_type = 'client_id' AND a.id_value = v.anonymous_id
    LEFT JOIN links AS c ON c.id_type = v.click_id_type AND c.id_value = v.click_id
    WHERE v.occurred_at >= $period_start AND v.occurred_at < $period_end
      AND ($kinds IS NULL OR list_contains($kinds, v.kind))
),
conv AS (
    -- the same conversion from two sources: same person, kind, day and value
    SELECT * FROM conv_all
    QUALIFY row_number() OVER (
        PARTITION BY person, kind, CAST(occurred_at AS DATE), value
        ORDER BY occurred_at, conversion_id) = 1
),
cut AS (
    SELECT *,
           lag(occurred_at) OVER (PARTITION BY person, kind
                                  ORDER BY occurred_at, conversion_id) AS previous_at,
           occurred_at - to_days(CASE WHEN kind = 'lead' THEN $acquisition_days
                                      ELSE $lookback_days END) AS window_start
    FROM conv
),
converting AS (
    SELECT 'c:' || cut.conversion_id AS journey_id, touch.channel, touch.campaign,
           touch.occurred_at AS touched_at, touch.touch_id
    FROM cut
    JOIN touch ON touch.person = cut.person
              AND touch.occurred_at < cut.occurred_at
              AND touch.occurred_at >= cut.window_start
              AND (cut.previous_at IS NULL OR touch.occurred_at > cut.previous_at)
),
last_conversion AS (
    SELECT person, max(occurred_at) AS at FROM conv GROUP BY person
),
open_paths AS (
    SELECT 'n:' || touch.person AS journey_id, touch.channel, touch.campaign,
           touch.occurred_at AS touched_at, touch.touch_id
    FROM touch
    LEFT JOIN last_conversion AS l ON l.person = touch.person
    WHERE touch.occurred_at >= $period_start - to_days($lookback_days)
      AND (l.at IS NULL OR touch.occurred_at > l.at)
)
SELECT journey_id,
       CAST(row_number() OVER (PARTITION BY journey_id ORDER BY touched_at, touch_id) AS INTEGER)
           AS position,
       channel, campaign, touched_at
FROM (SELECT * FROM converting UNION ALL SELECT * FROM open_paths)
ORDER BY journey_id, position
"""

_OUTCOMES = """
SELECT 'c:' || conversion_id AS journey_id, true AS converted, 1.0 AS conversions,
       CAST(value AS DOUBLE) AS value, occurred_at AS converted_at, kind
FROM conv
ORDER BY journey_id
"""


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]
) -> duckdb.DuckDBPyConnection:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, used)


def stitch_journeys(
    con: duckdb.DuckDBPyConnection,
    *,
    period_start: datetime,
    period_end: datetime,
    lookback_days: int = 90,
    acquisition_lookback_days: int = 30,
    kinds: tuple[str, ...] | None = None,
) -> StitchedJourneys:
    """Build journeys for the conversions in ``[period_start, period_end)``.

    Args:
        con: a connection to the warehouse (read only is enough).
        period_start: first instant of the period (aware).
        period_end: end of the period (exclusive, aware).
        lookback_days: how far back a conversion's journey reaches (default 90).
        acquisition_lookback_days: the same for leads (default 30).
        kinds: only these conversion kinds (``lead``, ``deal``, ``order``, ``key_event``,
            ``store_sale``); None for all.

    Raises:
        StitchingError: an empty or inverted period, naive datetimes, or windows < 1 day.

    """
    if period_start.tzinfo is None or period_end.tzinfo is None:
        raise StitchingError("period_start and period_end must be timezone-aware")
    if period_start >= period_end:
        raise StitchingError(f"the period {period_start} .. {period_end} is empty")
    if lookback_days < 1 or acquisition_lookback_days < 1:
        raise StitchingError("lookback windows must be at least 1 day")
    params = {
        "period_start": period_start,
        "period_end": period_end,
        "lookback_days": lookback_days,
        "acquisition_days": acquisition_lookback_days,
        "kinds": list(kinds) if kinds else None,
        "touch_kinds": list(JOURNEY_TOUCH_KINDS),
    }
    touches = _run(con, _SQL, params).df()
    head = _SQL[: _SQL.index("cut AS (")].rstrip().rstrip(",")
    outcomes = _run(con, head + "\n" + _OUTCOMES, params).df()
    counted = _run(
        con, head + "\nSELECT (SELECT count(*) FROM conv_all), (SELECT count(*) FROM conv)", params
    ).fetchone()
    duplicates = int(counted[0]) - int(counted[1]) if counted else 0
    with_touches = set(touches["journey_id"])
    missing = ~outcomes["journey_id"].isin(with_touches)
    window = (f"{lookback_days}-day lookback ({acquisition_lookback_days} days for leads), "
              "journeys cut at the previous conversion of the same kind")
    return StitchedJourneys(
        touches=touches.reset_index(drop=True),
        outcomes=outcomes.loc[~missing].reset_index(drop=True),
        window=window,
        conversions_without_touches=int(missing.sum()),
        duplicate_conversions=duplicates,
    )
