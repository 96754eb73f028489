"""Lifecycle tasks: gather each CRM contact's facts from the warehouse.

One query joins what every source published: form leads, key events, GA4 sessions and ad
clicks in the scoring window (anonymous ids resolved through the identity links), open and
won deals, orders and offline deals. The decision itself is :mod:`marketing.lifecycle`.
"""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NONE

from marketing.lifecycle import PersonFacts
from resources.environment import Environment
from tasks.writer import open_warehouse

__all__ = ["FACTS_SQL", "gather_person_facts"]

FACTS_SQL = """
WITH crm AS (
    SELECT person_key, max(id_value) AS crm_id
    FROM core.identity_links
    WHERE platform = 'hubspot' AND id_type = 'crm_id'
    GROUP BY person_key
),
anonymous AS (
    SELECT DISTINCT id_value AS anonymous_id, person_key
    FROM core.identity_links WHERE id_type = 'client_id'
),
conversions AS (
    SELECT coalesce(c.person_key, a.person_key) AS person_key, c.kind, c.occurred_at
    FROM core.conversions AS c
    LEFT JOIN anonymous AS a ON c.person_key IS NULL AND a.anonymous_id = c.anonymous_id
),
touches AS (
    SELECT coalesce(t.person_key, a.person_key) AS person_key, t.kind, t.ad_platform
    FROM core.touchpoints AS t
    LEFT JOIN anonymous AS a ON t.person_key IS NULL AND a.anonymous_id = t.anonymous_id
    WHERE t.occurred_at >= $since
),
open_deals AS (
    SELECT core.person_key(c.email) AS person_key, count(*) AS n
    FROM hubspot.deals AS d
    JOIN hubspot.contacts AS c ON c.portal_id = d.portal_id AND c.contact_id = d.contact_id
    WHERE NOT coalesce(d.is_closed, false) AND NOT coalesce(d.archived, false)
    GROUP BY ALL
)
SELECT crm.person_key, crm.crm_id,
       (SELECT count(*) FROM conversions AS v
        WHERE v.person_key = crm.person_key AND v.kind = 'lead') AS forms,
       (SELECT count(*) FROM touches AS t
        WHERE t.person_key = crm.person_key AND t.kind = 'session') AS sessions,
       (SELECT count(*) FROM touches AS t
        WHERE t.person_key = crm.person_key AND t.ad_platform IS NOT NULL
          AND t.kind IN ('session', 'click')) AS paid_clicks,
       (SELECT count(*) FROM conversions AS v
        WHERE v.person_key = crm.person_key AND v.kind = 'key_event'
          AND v.occurred_at >= $since) AS key_events,
       coalesce((SELECT n FROM open_deals AS o WHERE o.person_key = crm.person_key), 0),
       (SELECT count(*) FROM conversions AS v
        WHERE v.person_key = crm.person_key AND v.kind IN ('deal', 'store_sale')) AS won,
       (SELECT count(*) FROM conversions AS v
        WHERE v.person_key = crm.person_key AND v.kind = 'order') AS orders
FROM crm
ORDER BY crm.person_key
"""


@task(name="gather-person-facts", cache_policy=NONE)
def gather_person_facts(environment: Environment, scoring_days: int) -> list[PersonFacts]:
    """Return the facts of every person the CRM holds (current stage left unknown)."""
    since = environment.now("hubspot") - dt.timedelta(days=scoring_days)
    with open_warehouse(environment) as wh:
        rows = wh.fetchall(FACTS_SQL, {"since": since})
    return [
        PersonFacts(person_key=r[0], crm_id=r[1], current_stage=None, forms=r[2],
                    recent_sessions=r[3], recent_paid_clicks=r[4], key_events=r[5],
                    open_deals=r[6], won_deals=r[7], orders=r[8])
        for r in rows
    ]
