-- LinkedIn campaign groups (`adCampaignGroups`): what Campaign Manager shows as campaigns, and
-- what core.campaigns holds for LinkedIn (its campaigns are core ad groups). Without them
-- core.campaigns had LinkedIn campaigns without a name, so attribution credit at campaign
-- level, matched to spend by the UTM campaign name, found no LinkedIn spend.
-- Ids are bare decimal strings; budgets are major units of the account currency (NULL when
-- the group leaves the budget to its campaigns); run_start/run_end are the run schedule.
CREATE TABLE IF NOT EXISTS linkedin_ads.campaign_groups (
    account_id        VARCHAR,
    campaign_group_id VARCHAR,
    name              VARCHAR,
    status            VARCHAR,
    objective_type    VARCHAR,
    daily_budget      DECIMAL(18, 4),
    total_budget      DECIMAL(18, 4),
    currency          VARCHAR,
    run_start         TIMESTAMPTZ,
    run_end           TIMESTAMPTZ,
    created_time      TIMESTAMPTZ,
    updated_time      TIMESTAMPTZ,
    _run_id           VARCHAR,
    _loaded_at        TIMESTAMPTZ
);
