-- Refresh the core slice of one Acme ad account after a publish (runs inside the publish
-- transaction). Parameters: $account_id, $date_from, $date_to (the batch's stats dates, NULL
-- when it had none), $reporting_currency, $run_id. Unified ids: 'acme_ads:<id>'.
-- Acme has no ad groups and no ad objects on its wire: core gets its accounts, campaigns and
-- daily ad performance. Campaign budgets are major units; core keeps minor units (x100).

DELETE FROM core.accounts
WHERE platform = 'acme_ads' AND account_id = 'acme_ads:' || $account_id;

INSERT INTO core.accounts
SELECT 'acme_ads', 'acme_ads:' || account_id, account_id, name, currency, timezone_name,
       status, $run_id, now()
FROM acme_ads.accounts
WHERE account_id = $account_id;

DELETE FROM core.campaigns
WHERE platform = 'acme_ads' AND account_id = 'acme_ads:' || $account_id;

INSERT INTO core.campaigns
SELECT 'acme_ads', 'acme_ads:' || account_id, 'acme_ads:' || campaign_id, campaign_id, name,
       status, objective, CAST(round(daily_budget * 100) AS BIGINT), NULL, created_time,
       updated_time, $run_id, now()
FROM acme_ads.campaigns
WHERE account_id = $account_id;

DELETE FROM core.ad_performance_daily
WHERE platform = 'acme_ads'
  AND account_id = 'acme_ads:' || $account_id
  AND date BETWEEN $date_from AND $date_to;

-- Spend converts at the rate valid on the day, through USD (core.fx_rates_by_day, migration 008).
INSERT INTO core.ad_performance_daily
SELECT s.date, 'acme_ads', 'acme_ads:' || s.account_id, 'acme_ads:' || s.campaign_id, NULL,
       'acme_ads:' || s.ad_id, s.currency, s.spend,
       CAST(round(s.spend * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       s.impressions, s.clicks, s.conversions, s.conversion_value,
       CAST(round(s.conversion_value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4)
            AS DECIMAL(18, 4)),
       $reporting_currency, $run_id, now(),
       NULL, NULL  -- view-through value and its reporting amount: Acme reports no split
FROM acme_ads.ad_stats_daily AS s
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = s.currency AND fx.date = s.date
WHERE s.account_id = $account_id
  AND s.date BETWEEN $date_from AND $date_to;
