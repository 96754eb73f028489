-- Refresh the core slice of one GA4 property after a publish (inside the publish
-- transaction). Parameters: $account_id (the property id), $date_from, $date_to (the batch's
-- report days, NULL when it had none), $reporting_currency, $run_id. Unified account id:
-- 'ga4:<property>'.
-- Sessions become core.touchpoints (kind 'session', anonymous_id = the GA client id); those
-- with key events or revenue become core.conversions (kind 'key_event'). GA4 knows no email,
-- so it adds no core.identity_links: the client ids wait in touchpoints for a source that
-- saw one beside an email (a form with the hidden client id field).
-- Click ids are read from the landing page's query; the channel comes from the click id
-- first (gclid and li_fat_id only ever come from ads; fbclid rides on organic posts too),
-- then from source/medium. Which ids and sources belong to which ad platform is the
-- platforms' own declaration, in ref.ad_channels.

DELETE FROM core.touchpoints
WHERE platform = 'ga4'
  AND account_id = 'ga4:' || $account_id
  -- by id: the re-read days' sessions are replaced, other days stay
  AND touchpoint_id IN (SELECT session_key FROM ga4.sessions
                        WHERE property_id = $account_id AND date BETWEEN $date_from AND $date_to);

INSERT INTO core.touchpoints
WITH ids AS (  -- the declared click ids, one alternation (ref.ad_channels, migration 015)
    SELECT '[?&](' || string_agg(click_id_param, '|' ORDER BY rank) || ')=([^&#]*)' AS pattern
    FROM ref.ad_channels WHERE click_id_param IS NOT NULL
), s AS (
    SELECT sessions.*,
           regexp_extract(landing_page_plus_query, ids.pattern, 1) AS found_type,
           regexp_extract(landing_page_plus_query, ids.pattern, 2) AS found_value,
           lower(medium) AS m,
           lower(source) AS src
    FROM ga4.sessions AS sessions, ids
    WHERE property_id = $account_id AND date BETWEEN $date_from AND $date_to
), by_click AS (  -- an ad platform's click id (unless it also rides on unpaid clicks)
    SELECT s.session_key, arg_min(a.channel, a.rank) AS channel
    FROM s JOIN ref.ad_channels AS a
        ON a.click_id_param = s.found_type AND s.found_value <> ''
       AND (NOT a.click_id_on_organic OR s.m NOT IN ('referral', 'organic', 'social'))
    GROUP BY s.session_key
), by_source AS (  -- else a paid medium from an ad platform's source
    SELECT s.session_key, arg_min(a.channel, a.rank) AS channel
    FROM s JOIN (SELECT channel, rank, paid_mediums, unnest(traffic_sources) AS pattern
                 FROM ref.ad_channels) AS a
        ON list_contains(a.paid_mediums, s.m) AND s.src LIKE a.pattern
    GROUP BY s.session_key
), c AS (
    SELECT s.*,
           nullif(found_type, '') AS click_type,
           nullif(url_decode(found_value), '') AS click_value,
           CASE
               WHEN by_click.channel IS NOT NULL THEN by_click.channel
               WHEN by_source.channel IS NOT NULL THEN by_source.channel
               WHEN m = 'organic' THEN 'organic_search'
               WHEN m IN ('email', 'e-mail', 'newsletter') THEN 'email'
               WHEN src = '(direct)' AND m IN ('(none)', '(not set)') THEN 'direct'
               WHEN m IN ('social', 'organic_social')
                    OR found_type IN (SELECT click_id_param FROM ref.ad_channels
                                      WHERE click_id_on_organic)
                   THEN 'organic_social'
               WHEN m = 'referral' THEN 'referral'
               WHEN m IN ('cpc', 'ppc', 'paid_search', 'paidsearch', 'display', 'paid')
                   THEN 'paid_other'
               ELSE 'other'
           END AS channel
    FROM s
    LEFT JOIN by_click ON by_click.session_key = s.session_key
    LEFT JOIN by_source ON by_source.session_key = s.session_key
)
SELECT 'ga4', 'ga4:' || property_id, session_key, session_start, NULL, client_id, 'session',
       channel,
       CASE WHEN channel IN (SELECT channel FROM ref.ad_channels) THEN channel END,
       NULL, nullif(campaign_name, '(not set)'), click_type, click_value,
       nullif(source, '(not set)'), nullif(medium, '(not set)'),
       nullif(campaign_name, '(not set)'), landing_page_plus_query, $run_id, now()
FROM c;

DELETE FROM core.conversions
WHERE platform = 'ga4'
  AND account_id = 'ga4:' || $account_id
  AND conversion_id IN (SELECT session_key FROM ga4.sessions
                        WHERE property_id = $account_id AND date BETWEEN $date_from AND $date_to);

-- Revenue converts at the rate valid on the session's day (core.fx_rates_by_day, 008).
INSERT INTO core.conversions
SELECT 'ga4', 'ga4:' || s.property_id, s.session_key, s.session_start, 'key_event', NULL,
       s.client_id, t.click_id_type, t.click_id, s.total_revenue, s.currency,
       CAST(round(s.total_revenue * fx.rate_to_usd / fx.reporting_rate_to_usd, 4)
            AS DECIMAL(18, 4)),
       $run_id, now()
FROM ga4.sessions AS s
LEFT JOIN core.touchpoints AS t
    ON t.platform = 'ga4' AND t.account_id = 'ga4:' || s.property_id
   AND t.touchpoint_id = s.session_key
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = s.currency AND fx.date = s.date
WHERE s.property_id = $account_id
  AND s.date BETWEEN $date_from AND $date_to
  AND (s.key_events > 0 OR s.total_revenue <> 0);

-- Refuse a publish that leaves revenue without a reporting-currency value (the transaction
-- rolls back): load the missing rate into core.fx_rates and re-run.
SELECT CASE WHEN count(*) > 0 THEN error(
           'ga4 property ' || $account_id || ': revenue left unconverted to the reporting '
           || 'currency (no rate in core.fx_rates for ' || string_agg(DISTINCT currency, ', ')
           || '); nothing published')
       END
FROM core.conversions
WHERE platform = 'ga4' AND account_id = 'ga4:' || $account_id AND _run_id = $run_id
  AND value IS NOT NULL AND value_reporting IS NULL;
