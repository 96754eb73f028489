-- Spend coverage of the attribution marts. A first load reads each platform's own lookback
-- (Google 14 days, Meta 28), so a 30-day period could price 30 days of credit against 14 days
-- of spend and show twice the real ROAS. Each credit row now says how many days of the period
-- its ad platform's spend covers; where that is not every day, roas is NULL and roas_note says
-- why. Channels that are not ad platforms have spend_days and spend_complete NULL. Rows of runs
-- built before this migration have all four NULL (coverage unknown: do not budget on them).
ALTER TABLE marts.attribution_channel_credit ADD COLUMN IF NOT EXISTS spend_days INTEGER;
ALTER TABLE marts.attribution_channel_credit ADD COLUMN IF NOT EXISTS period_days INTEGER;
ALTER TABLE marts.attribution_channel_credit ADD COLUMN IF NOT EXISTS spend_complete BOOLEAN;
ALTER TABLE marts.attribution_channel_credit ADD COLUMN IF NOT EXISTS roas_note VARCHAR;

ALTER TABLE marts.attribution_campaign_credit ADD COLUMN IF NOT EXISTS spend_days INTEGER;
ALTER TABLE marts.attribution_campaign_credit ADD COLUMN IF NOT EXISTS period_days INTEGER;
ALTER TABLE marts.attribution_campaign_credit ADD COLUMN IF NOT EXISTS spend_complete BOOLEAN;
ALTER TABLE marts.attribution_campaign_credit ADD COLUMN IF NOT EXISTS roas_note VARCHAR;

-- the views list c.* again so they carry the new columns
CREATE OR REPLACE VIEW marts.attribution_channel_latest AS
SELECT c.*, r.built_at
FROM marts.attribution_channel_credit AS c
JOIN marts.attribution_latest_runs AS r USING (run_id);

CREATE OR REPLACE VIEW marts.attribution_campaign_latest AS
SELECT c.*, r.built_at
FROM marts.attribution_campaign_credit AS c
JOIN marts.attribution_latest_runs AS r USING (run_id);
