-- Refresh the core slice of one offline-conversions source after a publish (inside the
-- publish transaction). Parameters: $account_id (the source name), $date_from, $date_to (the
-- batch's days), $reporting_currency, $run_id.
-- A row known only by email_sha256 gets the same person key as its plain email would:
-- core.person_key(email) is 'em:' || the first 16 hex digits of that hash.

DELETE FROM core.conversions
WHERE platform = 'offline_conversions'
  AND account_id = 'offline_conversions:' || $account_id
  -- by id, not by day: a re-export that corrects a conversion's date moves it
  AND conversion_id IN (SELECT conversion_id FROM offline_conversions.conversions
                        WHERE account_id = $account_id
                          AND occurred_date BETWEEN $date_from AND $date_to);

INSERT INTO core.conversions
SELECT 'offline_conversions', 'offline_conversions:' || c.account_id, c.conversion_id,
       c.occurred_at, c.kind,
       coalesce(core.person_key(c.email), 'em:' || left(c.email_sha256, 16)),
       NULL, c.click_id_type, c.click_id, c.value, c.currency,
       CAST(round(c.value * fx.rate_to_usd / fx.reporting_rate_to_usd, 4) AS DECIMAL(18, 4)),
       $run_id, now()
FROM offline_conversions.conversions AS c
LEFT JOIN core.fx_rates_by_day($date_from, $date_to, $reporting_currency) AS fx
    ON fx.currency = c.currency AND fx.date = c.occurred_date
WHERE c.account_id = $account_id
  AND c.occurred_date BETWEEN $date_from AND $date_to;

DELETE FROM core.identity_links
WHERE platform = 'offline_conversions' AND account_id = 'offline_conversions:' || $account_id;

-- Every identifier seen beside a person key links to it (earliest sighting kept).
INSERT INTO core.identity_links
SELECT 'offline_conversions', 'offline_conversions:' || $account_id, person_key, id_type,
       id_value, min(occurred_at), $run_id, now()
FROM (
    SELECT coalesce(core.person_key(email), 'em:' || left(email_sha256, 16)) AS person_key,
           occurred_at, email, phone, crm_id, click_id_type, click_id
    FROM offline_conversions.conversions
    WHERE account_id = $account_id AND (email IS NOT NULL OR email_sha256 IS NOT NULL)
) AS known
CROSS JOIN LATERAL (
    VALUES ('email', known.email), ('phone', known.phone), ('crm_id', known.crm_id),
           (known.click_id_type, known.click_id)
) AS ids(id_type, id_value)
WHERE ids.id_type IS NOT NULL AND ids.id_value IS NOT NULL
GROUP BY ALL;
