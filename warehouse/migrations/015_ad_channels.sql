-- The ad platforms' channels as the core models read them: which click id a platform's ads add
-- to landing URLs and which utm source and medium its paid traffic arrives with. The rows are
-- the platforms' own declarations (connectors/<platform>/description.py): every flow opening
-- the warehouse writes them again (tasks/writer.py), so a new platform's folder is enough and
-- the core models name no platform. The rows below are the first three, for a warehouse
-- opened outside a flow.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE TABLE IF NOT EXISTS ref.ad_channels (
    channel              VARCHAR PRIMARY KEY,  -- the attribution channel (google_ads)
    click_id_param       VARCHAR,              -- gclid, fbclid, li_fat_id
    click_id_on_organic  BOOLEAN NOT NULL,     -- the click id also rides on unpaid clicks
    traffic_sources      VARCHAR[] NOT NULL,   -- LIKE patterns of the lower-case source
    paid_mediums         VARCHAR[] NOT NULL,   -- lower-case mediums of its paid traffic
    rank                 INTEGER NOT NULL      -- which rule wins when two match
);

INSERT INTO ref.ad_channels VALUES
    ('meta_ads', 'fbclid', true, ['facebook', 'fb', 'instagram', 'ig', 'meta'],
     ['cpc', 'ppc', 'paid_social', 'paidsocial', 'paid'], 10),
    ('google_ads', 'gclid', false, ['%google%'], ['cpc', 'ppc', 'paid_search', 'paidsearch'], 20),
    ('linkedin_ads', 'li_fat_id', false, ['%linkedin%'],
     ['cpc', 'ppc', 'paid_social', 'paidsocial', 'paid'], 30);

-- One row per person: its click ids are those of any declared ad channel.
CREATE OR REPLACE VIEW core.people AS
SELECT person_key,
       min(first_seen_at) AS first_seen_at,
       max(CASE WHEN id_type = 'email' THEN id_value END) AS email,
       max(CASE WHEN id_type = 'phone' THEN id_value END) AS phone,
       max(CASE WHEN id_type = 'crm_id' THEN id_value END) AS crm_id,
       max(CASE WHEN id_type = 'shopify_customer_id' THEN id_value END) AS shopify_customer_id,
       count(DISTINCT CASE WHEN id_type = 'client_id' THEN id_value END) AS anonymous_ids,
       count(DISTINCT CASE WHEN id_type IN (SELECT click_id_param FROM ref.ad_channels)
                           THEN id_value END) AS click_ids,
       list(DISTINCT platform ORDER BY platform) AS sources
FROM core.identity_links
GROUP BY person_key;
