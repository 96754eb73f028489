-- Refresh the core slice of one GA4 property after a publish (inside the publish
-- transaction). Parameters: $account_id (the property id), $date_from, $date_to (the batch's
-- report days, NULL when it had none), $reporting_currency, $run_id. Unified account id:
-- 'ga4:<property>'.
-- Sessions become core.touchpoints (kind 'session', anonymous_id = the GA client id); those
-- with key events or revenue become core.conversions (kind 'key_event'). GA4 knows no email,
-- so it adds no core.identity_links: the client ids wait in touchpoints for a source that
-- saw one beside an email (a form with the hidden client id field).
-- Click ids are read from the landing page's query; the channel comes from the click id
-- first (gclid and li_fat_id only ever come from ads), then from source/medium.

DELETE FROM core.touchpoints
WHERE platform = 'ga4'
  AND account_id = 'ga4:' || $account_id
  -- by id: the re-read days' sessions are replaced, other days stay
  AND touchpoint_id IN (SELECT session_key FROM ga4.sessions
                        WHERE property_id = $account_id AND date BETWEEN $date_from AND $date_to);

INSERT INTO core.touchpoints
WITH s AS (
    SELECT *,
           regexp_extract(landing_page_plus_query, '[?&](gclid|fbclid|li_fat_id)=([^&#]*)',
                          ['type', 'value']) AS found,
           lower(medium) AS m,
           lower(source) AS src
    FROM ga4.sessions
    WHERE property_id = $account_id AND date BETWEEN $date_from AND $date_to
), c AS (
    SELECT *,
           nullif(found.type, '') AS click_type,
           nullif(url_decode(found.value), '') AS click_value,
           CASE
               WHEN found.type = 'gclid' AND found.value <> '' THEN 'google_ads'
               WHEN found.type = 'li_fat_id' AND found.value <> '' THEN 'linkedin_ads'
               WHEN found.type = 'fbclid' AND found.value <> ''
                    AND m NOT IN ('referral', 'organic', 'social') THEN 'meta_ads'
               WHEN m IN ('cpc', 'ppc', 'paid_search', 'paidsearch') AND src LIKE '%google%'
                   THEN 'google_ads'
               WHEN m IN ('cpc', 'ppc', 'paid_social', 'paidsocial', 'paid')
                    AND src IN ('facebook', 'fb', 'instagram', 'ig', 'meta') THEN 'meta_ads'
               WHEN m IN ('cpc', 'ppc', 'paid_social', 'paidsocial', 'paid')
                    AND src LIKE '%linkedin%' THEN 'linkedin_ads'
               WHEN m = 'organic' THEN 'organic_search'
               WHEN m IN ('email', 'e-mail', 'newsletter') THEN 'email'
               WHEN src = '(direct)' AND m IN ('(none)', '(not set)') THEN 'direct'
               WHEN m IN ('social', 'organic_social') OR found.type = 'fbclid'
                   THEN 'organic_social'
               WHEN m = 'referral' THEN 'referral'
               WHEN m IN ('cpc', 'ppc', 'paid_search', 'paidsearch', 'display', 'paid')
                   THEN 'paid_other'
               ELSE 'other'
           END AS channel
    FROM s
)
SELECT 'ga4', 'ga4:' || property_id, session_key, session_start, NULL, client_id, 'session',
       channel,
       CASE WHEN channel IN ('google_ads', 'meta_ads', 'linkedin_ads') THEN channel END,
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
