-- View-through conversions: the part of a platform's reported conversions and value credited
-- to an impression without a click (Meta's 1d_view window). The budget flow can steer by
-- click-through value only, so a campaign whose reported ROAS is inflated by view-throughs
-- does not draw the money. NULL means unknown: platforms that report no such split (Google,
-- LinkedIn) and Meta rows read without a view window, or loaded before this migration.
-- The columns come last (ALTER TABLE appends): the core models insert by position.
ALTER TABLE meta_ads.ad_insights_daily ADD COLUMN IF NOT EXISTS view_conversions DECIMAL(18, 4);
ALTER TABLE meta_ads.ad_insights_daily
    ADD COLUMN IF NOT EXISTS view_conversion_value DECIMAL(18, 4);

ALTER TABLE core.ad_performance_daily
    ADD COLUMN IF NOT EXISTS view_conversion_value DECIMAL(18, 4);
ALTER TABLE core.ad_performance_daily
    ADD COLUMN IF NOT EXISTS view_conversion_value_reporting DECIMAL(18, 4);
