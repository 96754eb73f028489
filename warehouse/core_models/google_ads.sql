-- Refresh the core slice of one Google Ads customer after a publish (runs inside the publish
-- transaction). Parameters: $account_id, $date_from, $date_to (the batch's report dates, NULL
-- when it had none), $reporting_currency, $run_id. Unified ids: 'google_ads:<id>'.
-- Budgets are micros in Google Ads; core keeps minor units (micros / 10,000).

DELETE FROM core.accounts
WHERE platform = 'google_ads' AND account_id = 'google_ads:' || $account_id;

INSERT INTO core.accounts
SELECT 'google_ads', 'google_ads:' || account_id, account_id, name, currency, timezone_name,
       status, $run_id, now()
FROM google_ads.accounts
WHERE account_id = $account_id;

DELETE FROM core.campaigns
WHERE platform = 'google_ads' AND account_id = 'google_ads:' || $account_id;

INSERT INTO core.campaigns
SELECT 'google_ads', 'google_ads:' || account_id, 'google_ads:' || campaign_id, campaign_id,
       name, status, channel_type, CAST(round(daily_budget_micros / 10000) AS BIGINT), NULL,
       CAST(start_date AS TIMESTAMPTZ), NULL, $run_id, now()
FROM google_ads.campaigns
WHERE account_id = $account_id;

DELETE FROM core.ad_groups
WHERE platform = 'google_ads' AND account_id = 'google_ads:' || $account_id;

INSERT INTO core.ad_groups
SELECT 'google_ads', 'google_ads:' || account_id, 'google_ads:' || campaign_id,
       'google_ads:' || ad_group_id, ad_group_id, name, status, NULL, NULL, NULL, $run_id, now()
FROM google_ads.ad_groups
WHERE account_id = $account_id;

DELETE FROM core.ads
WHERE platform = 'google_ads' AND account_id = 'google_ads:' || $account_id;

INSERT INTO core.ads
SELECT 'google_ads', 'google_ads:' || account_id, 'google_ads:' || campaign_id,
       'google_ads:' || ad_group_id, 'google_ads:' || ad_id, ad_id, name, status, NULL, NULL,
       NULL, $run_id, now()
FROM google_ads.ads
WHERE account_id = $account_id;

DELETE FROM core.ad_performance_daily
WHERE platform = 'google_ads'
  AND account_id = 'google_ads:' || $account_id
  AND date BETWEEN $date_from AND $date_to;

-- Spend converts at the rate valid on the day, through USD (core.fx_rates_by_day, migration 008).
INSERT INTO core.ad_performance_daily
SELECT p.date, 'google_ads', 'google_ads:' || p.account_id, 'google_ads:' || p.campaign_id,
       'google_ads:' || p.ad_group_id, 'google_ads:' || p.ad_id,
       p.currency, p.spend,
       CAST(round(p.spend * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       p.impressions, p.clicks, p.conversions, p.conversion_value,
       CAST(round(p.conversion_value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       $reporting_currency, $run_id, now(),
       NULL, NULL  -- view-through value and its reporting amount: Google reports no split
FROM google_ads.ad_performance_daily AS p
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = p.currency AND fx.date = p.date
WHERE p.account_id = $account_id
  AND p.date BETWEEN $date_from AND $date_to;
