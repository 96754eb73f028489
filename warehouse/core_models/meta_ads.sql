-- Refresh the core slice of one Meta ad account after a publish (runs inside the publish
-- transaction). Parameters: $account_id (with or without 'act_'), $date_from, $date_to (the
-- batch's insight dates, NULL when the batch had no insights), $reporting_currency, $run_id.
-- Unified ids: accounts 'meta_ads:act_<n>', everything else 'meta_ads:<native id>'.
-- Meta ad sets are core ad groups.

DELETE FROM core.accounts
WHERE platform = 'meta_ads' AND account_id = 'meta_ads:act_' || regexp_replace($account_id, '^act_', '');

INSERT INTO core.accounts
SELECT 'meta_ads', 'meta_ads:act_' || regexp_replace(account_id, '^act_', ''), account_id,
       name, currency, timezone_name, CAST(account_status AS VARCHAR), $run_id, now()
FROM meta_ads.accounts
WHERE regexp_replace(account_id, '^act_', '') = regexp_replace($account_id, '^act_', '');

DELETE FROM core.campaigns
WHERE platform = 'meta_ads' AND account_id = 'meta_ads:act_' || regexp_replace($account_id, '^act_', '');

INSERT INTO core.campaigns
SELECT 'meta_ads', 'meta_ads:act_' || regexp_replace(account_id, '^act_', ''),
       'meta_ads:' || campaign_id, campaign_id, name, effective_status, objective,
       daily_budget, lifetime_budget, created_time, updated_time, $run_id, now()
FROM meta_ads.campaigns
WHERE regexp_replace(account_id, '^act_', '') = regexp_replace($account_id, '^act_', '');

DELETE FROM core.ad_groups
WHERE platform = 'meta_ads' AND account_id = 'meta_ads:act_' || regexp_replace($account_id, '^act_', '');

INSERT INTO core.ad_groups
SELECT 'meta_ads', 'meta_ads:act_' || regexp_replace(account_id, '^act_', ''),
       'meta_ads:' || campaign_id, 'meta_ads:' || ad_set_id, ad_set_id, name, effective_status,
       daily_budget, created_time, updated_time, $run_id, now()
FROM meta_ads.ad_sets
WHERE regexp_replace(account_id, '^act_', '') = regexp_replace($account_id, '^act_', '');

DELETE FROM core.ads
WHERE platform = 'meta_ads' AND account_id = 'meta_ads:act_' || regexp_replace($account_id, '^act_', '');

INSERT INTO core.ads
SELECT 'meta_ads', 'meta_ads:act_' || regexp_replace(account_id, '^act_', ''),
       'meta_ads:' || campaign_id, 'meta_ads:' || ad_set_id, 'meta_ads:' || ad_id, ad_id, name,
       effective_status, creative_id, created_time, updated_time, $run_id, now()
FROM meta_ads.ads
WHERE regexp_replace(account_id, '^act_', '') = regexp_replace($account_id, '^act_', '');

DELETE FROM core.ad_performance_daily
WHERE platform = 'meta_ads'
  AND account_id = 'meta_ads:act_' || regexp_replace($account_id, '^act_', '')
  AND date BETWEEN $date_from AND $date_to;

-- Spend converts at the rate valid on the day, through USD (core.fx_rates_by_day, migration 008);
-- so do value and its view-through part (migration 018: NULL stays NULL, unknown).
INSERT INTO core.ad_performance_daily
SELECT i.date, 'meta_ads', 'meta_ads:act_' || regexp_replace(i.account_id, '^act_', ''),
       'meta_ads:' || i.campaign_id, 'meta_ads:' || i.ad_set_id, 'meta_ads:' || i.ad_id,
       i.currency, i.spend,
       CAST(round(i.spend * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       i.impressions, i.clicks, i.conversions, i.conversion_value,
       CAST(round(i.conversion_value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       $reporting_currency, $run_id, now(), i.view_conversion_value,
       CAST(round(i.view_conversion_value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4))
FROM meta_ads.ad_insights_daily AS i
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = i.currency AND fx.date = i.date
WHERE i.account_id IN (regexp_replace($account_id, '^act_', ''),
                       'act_' || regexp_replace($account_id, '^act_', ''))
  AND i.date BETWEEN $date_from AND $date_to;
