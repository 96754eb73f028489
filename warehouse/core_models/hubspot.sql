-- Refresh the core slice of one HubSpot portal after a publish (inside the publish
-- transaction). Parameters: $account_id (the portal id), $reporting_currency, $run_id.
-- Unified account id: 'hubspot:<portalId>'. The slice is rebuilt from the portal's whole
-- hubspot.* tables (not just the batch's days): a contact's email or a deal's stage may change
-- on any day, and identity links must follow.
--
-- * core.identity_links: email, phone, crm_id (contact id), client_id (the GA client id of a
--   hidden form field) and the click ids (gclid, fbclid, li_fat_id) of contacts and forms.
-- * core.conversions: form submissions as 'lead' (value 0); closed-won deals as 'deal' with the
--   amount converted to the reporting currency at the close day's rate (core.fx_rates_by_day).
-- * core.touchpoints: form submissions as 'form_submission', with their click id and UTMs.

DELETE FROM core.identity_links
WHERE platform = 'hubspot' AND account_id = 'hubspot:' || $account_id;

INSERT INTO core.identity_links
WITH contact_ids AS (
    SELECT core.person_key(email) AS person_key, created_at,
           [('email', lower(trim(email))), ('phone', phone), ('crm_id', contact_id),
            ('client_id', ga_client_id), ('gclid', gclid), ('fbclid', fbclid),
            ('li_fat_id', li_fat_id)] AS ids
    FROM hubspot.contacts
    WHERE portal_id = $account_id AND email_status = 'valid' AND NOT coalesce(archived, false)
), form_ids AS (
    SELECT core.person_key(email) AS person_key, submitted_at AS created_at,
           [('email', lower(trim(email))), ('client_id', ga_client_id),
            (click_id_type, click_id)] AS ids
    FROM hubspot.form_submissions
    WHERE portal_id = $account_id AND email IS NOT NULL AND trim(email) <> ''
), pairs AS (
    SELECT person_key, created_at, unnest(ids) AS id FROM contact_ids
    UNION ALL
    SELECT person_key, created_at, unnest(ids) AS id FROM form_ids
)
SELECT 'hubspot', 'hubspot:' || $account_id, person_key, id[1], id[2], min(created_at),
       $run_id, now()
FROM pairs
WHERE person_key IS NOT NULL AND id[1] IS NOT NULL AND id[2] IS NOT NULL AND id[2] <> ''
GROUP BY person_key, id[1], id[2];

DELETE FROM core.conversions
WHERE platform = 'hubspot' AND account_id = 'hubspot:' || $account_id;

INSERT INTO core.conversions
SELECT 'hubspot', 'hubspot:' || $account_id, submission_id, submitted_at, 'lead',
       core.person_key(email), ga_client_id, click_id_type, click_id,
       CAST(0 AS DECIMAL(18, 4)), NULL, CAST(0 AS DECIMAL(18, 4)), $run_id, now()
FROM hubspot.form_submissions
WHERE portal_id = $account_id;

INSERT INTO core.conversions
WITH won AS (
    SELECT d.*, CAST(timezone('UTC', d.close_date) AS DATE) AS close_day,
           c.email, c.ga_client_id,
           CASE WHEN c.gclid IS NOT NULL THEN 'gclid'
                WHEN c.fbclid IS NOT NULL THEN 'fbclid'
                WHEN c.li_fat_id IS NOT NULL THEN 'li_fat_id' END AS click_type,
           coalesce(c.gclid, c.fbclid, c.li_fat_id) AS click_value
    FROM hubspot.deals AS d
    LEFT JOIN hubspot.contacts AS c
        ON c.portal_id = d.portal_id AND c.contact_id = d.contact_id
    WHERE d.portal_id = $account_id AND d.is_won AND d.close_date IS NOT NULL
      AND NOT coalesce(d.archived, false)
)
SELECT 'hubspot', 'hubspot:' || $account_id, w.deal_id, w.close_date, 'deal',
       core.person_key(w.email), w.ga_client_id, w.click_type, w.click_value,
       w.amount, w.currency,
       CAST(round(w.amount * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       $run_id, now()
FROM won AS w
LEFT JOIN core.fx_rates_by_day((SELECT min(close_day) FROM won), (SELECT max(close_day) FROM won),
                               $reporting_currency) AS fx
    ON fx.currency = w.currency AND fx.date = w.close_day;

DELETE FROM core.touchpoints
WHERE platform = 'hubspot' AND account_id = 'hubspot:' || $account_id;

INSERT INTO core.touchpoints
SELECT 'hubspot', 'hubspot:' || $account_id, submission_id, submitted_at,
       core.person_key(email), ga_client_id, 'form_submission',
       coalesce(ad.channel,
                CASE WHEN lower(utm_medium) = 'organic' THEN 'organic_search'
                     WHEN lower(utm_medium) = 'email' THEN 'email'
                     WHEN utm_source = '(direct)' THEN 'direct' ELSE 'other' END),
       ad.channel,
       NULL, utm_campaign, click_id_type, click_id, utm_source, utm_medium, utm_campaign,
       page_url, $run_id, now()
FROM hubspot.form_submissions
LEFT JOIN ref.ad_channels AS ad ON ad.click_id_param = click_id_type  -- declared click ids
WHERE portal_id = $account_id;
