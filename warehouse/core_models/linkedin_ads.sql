-- Refresh the core slice of one LinkedIn ad account after a publish (runs inside the publish
-- transaction). Parameters: $account_id, $date_from, $date_to (the batch's analytics dates,
-- NULL when it had none), $reporting_currency, $run_id. Unified ids: 'linkedin_ads:<id>'.
-- LinkedIn's hierarchy maps onto core as: campaign group -> campaign, campaign -> ad group,
-- creative -> ad. Budgets are major units on LinkedIn; core keeps minor units (x100).

DELETE FROM core.accounts
WHERE platform = 'linkedin_ads' AND account_id = 'linkedin_ads:' || $account_id;

INSERT INTO core.accounts
SELECT 'linkedin_ads', 'linkedin_ads:' || account_id, account_id, name, currency,
       timezone_name, status, $run_id, now()
FROM linkedin_ads.accounts
WHERE account_id = $account_id;

DELETE FROM core.campaigns
WHERE platform = 'linkedin_ads' AND account_id = 'linkedin_ads:' || $account_id;

-- A core campaign is a LinkedIn campaign group (Campaign Manager shows groups as campaigns;
-- the UTM campaign names of LinkedIn clicks are the groups' names), named from
-- linkedin_ads.campaign_groups. A group that only its campaigns name (not (yet) extracted)
-- still gets a row, without a name, so its spend keeps a campaign.
INSERT INTO core.campaigns
SELECT 'linkedin_ads', 'linkedin_ads:' || g.account_id, 'linkedin_ads:' || g.campaign_group_id,
       g.campaign_group_id, g.name, g.status,
       coalesce(g.objective_type, (SELECT any_value(c.objective_type)
                                   FROM linkedin_ads.campaigns AS c
                                   WHERE c.account_id = g.account_id
                                     AND c.campaign_group_id = g.campaign_group_id)),
       CAST(round(g.daily_budget * 100) AS BIGINT), CAST(round(g.total_budget * 100) AS BIGINT),
       g.created_time, g.updated_time, $run_id, now()
FROM linkedin_ads.campaign_groups AS g
WHERE g.account_id = $account_id;

INSERT INTO core.campaigns
SELECT 'linkedin_ads', 'linkedin_ads:' || account_id, 'linkedin_ads:' || campaign_group_id,
       campaign_group_id, NULL, NULL, any_value(objective_type), NULL, NULL,
       min(created_time), max(updated_time), $run_id, now()
FROM linkedin_ads.campaigns
WHERE account_id = $account_id AND campaign_group_id IS NOT NULL
  AND campaign_group_id NOT IN (SELECT campaign_group_id FROM linkedin_ads.campaign_groups
                                WHERE account_id = $account_id
                                  AND campaign_group_id IS NOT NULL)
GROUP BY account_id, campaign_group_id;

DELETE FROM core.ad_groups
WHERE platform = 'linkedin_ads' AND account_id = 'linkedin_ads:' || $account_id;

INSERT INTO core.ad_groups
SELECT 'linkedin_ads', 'linkedin_ads:' || account_id, 'linkedin_ads:' || campaign_group_id,
       'linkedin_ads:' || campaign_id, campaign_id, name, status,
       CAST(round(daily_budget * 100) AS BIGINT), created_time, updated_time, $run_id, now()
FROM linkedin_ads.campaigns
WHERE account_id = $account_id;

DELETE FROM core.ads
WHERE platform = 'linkedin_ads' AND account_id = 'linkedin_ads:' || $account_id;

INSERT INTO core.ads
SELECT 'linkedin_ads', 'linkedin_ads:' || cr.account_id,
       'linkedin_ads:' || c.campaign_group_id, 'linkedin_ads:' || cr.campaign_id,
       'linkedin_ads:' || cr.creative_id, cr.creative_id, cr.name, cr.status, cr.creative_id,
       cr.created_time, cr.updated_time, $run_id, now()
FROM linkedin_ads.creatives AS cr
LEFT JOIN linkedin_ads.campaigns AS c ON c.campaign_id = cr.campaign_id
WHERE cr.account_id = $account_id;

DELETE FROM core.ad_performance_daily
WHERE platform = 'linkedin_ads'
  AND account_id = 'linkedin_ads:' || $account_id
  AND date BETWEEN $date_from AND $date_to;

-- Spend converts at the rate valid on the day, through USD (core.fx_rates_by_day, migration 008).
INSERT INTO core.ad_performance_daily
SELECT a.date, 'linkedin_ads', 'linkedin_ads:' || a.account_id,
       'linkedin_ads:' || c.campaign_group_id, 'linkedin_ads:' || a.campaign_id,
       'linkedin_ads:' || a.creative_id,
       a.currency, a.spend,
       CAST(round(a.spend * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       a.impressions, a.clicks, a.conversions, a.conversion_value,
       CAST(round(a.conversion_value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       $reporting_currency, $run_id, now(),
       NULL, NULL  -- view-through value and its reporting amount: LinkedIn reports no split
FROM linkedin_ads.ad_analytics_daily AS a
LEFT JOIN linkedin_ads.campaigns AS c ON c.campaign_id = a.campaign_id
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = a.currency AND fx.date = a.date
WHERE a.account_id = $account_id
  AND a.date BETWEEN $date_from AND $date_to;
