-- Refresh the core slice of one Shopify shop after a publish (inside the publish transaction).
-- Parameters: $account_id (the shop's myshopify domain), $reporting_currency, $run_id.
-- Unified account id: 'shopify:<shop domain>'. The slice is rebuilt from the shop's whole
-- shopify.* tables (not just the batch's days): a refund changes an order placed weeks ago,
-- and identity links must follow the merged rows.
--
-- * core.orders: one row per order; total = current total (after refunds), converted to the
--   reporting currency at the rate of the order's day (core.fx_rates_by_day); landing page,
--   UTMs and click id of the visit that placed the order.
-- * core.conversions: orders not cancelled, kind 'order', value = current total; the click id
--   of the ordering visit, else of the first visit.
-- * core.identity_links: email, phone, shopify_customer_id, and every click id seen on the
--   person's orders (first and ordering visits).

DELETE FROM core.orders
WHERE platform = 'shopify' AND account_id = 'shopify:' || $account_id;

INSERT INTO core.orders
WITH o AS (
    SELECT o.*, CAST(timezone('UTC', o.created_at) AS DATE) AS order_day,
           coalesce(o.email, c.email) AS any_email,
           (SELECT count(*) FROM shopify.order_line_items AS li
            WHERE li.account_id = o.account_id AND li.order_id = o.order_id) AS lines
    FROM shopify.orders AS o
    LEFT JOIN shopify.customers AS c
        ON c.account_id = o.account_id AND c.customer_id = o.customer_id
    WHERE o.account_id = $account_id
)
SELECT 'shopify', 'shopify:' || $account_id, o.order_id, o.created_at,
       core.person_key(o.any_email), o.customer_id, o.current_total_price, o.currency,
       CAST(round(o.current_total_price * fx.rate_to_usd / fx.reporting_rate_to_usd, 4)
            AS DECIMAL(18, 4)),
       CAST(o.lines AS INTEGER), o.landing_page, o.utm_source, o.utm_medium, o.utm_campaign,
       o.click_id_type, o.click_id, $run_id, now()
FROM o
LEFT JOIN core.fx_rates_by_day((SELECT min(order_day) FROM o), (SELECT max(order_day) FROM o),
                               $reporting_currency) AS fx
    ON fx.currency = o.currency AND fx.date = o.order_day;

DELETE FROM core.conversions
WHERE platform = 'shopify' AND account_id = 'shopify:' || $account_id;

INSERT INTO core.conversions
SELECT 'shopify', 'shopify:' || $account_id, order_id, ordered_at, 'order', person_key, NULL,
       coalesce(click_id_type, first_click_type), coalesce(click_id, first_click),
       total, currency, total_reporting, $run_id, now()
FROM (
    SELECT co.*, o.first_click_id_type AS first_click_type, o.first_click_id AS first_click
    FROM core.orders AS co
    JOIN shopify.orders AS o ON o.account_id = $account_id AND o.order_id = co.order_id
    WHERE co.platform = 'shopify' AND co.account_id = 'shopify:' || $account_id
      AND o.cancelled_at IS NULL
);

DELETE FROM core.identity_links
WHERE platform = 'shopify' AND account_id = 'shopify:' || $account_id;

INSERT INTO core.identity_links
WITH customer_ids AS (
    SELECT core.person_key(email) AS person_key, created_at AS seen_at,
           [('email', lower(trim(email))), ('phone', phone),
            ('shopify_customer_id', customer_id)] AS ids
    FROM shopify.customers
    WHERE account_id = $account_id
), order_ids AS (
    SELECT core.person_key(coalesce(o.email, c.email)) AS person_key, o.created_at AS seen_at,
           [('email', lower(trim(coalesce(o.email, c.email)))), ('phone', o.phone),
            ('shopify_customer_id', o.customer_id), (o.click_id_type, o.click_id),
            (o.first_click_id_type, o.first_click_id)] AS ids
    FROM shopify.orders AS o
    LEFT JOIN shopify.customers AS c
        ON c.account_id = o.account_id AND c.customer_id = o.customer_id
    WHERE o.account_id = $account_id
), pairs AS (
    SELECT person_key, seen_at, unnest(ids) AS id FROM customer_ids
    UNION ALL
    SELECT person_key, seen_at, unnest(ids) AS id FROM order_ids
)
SELECT 'shopify', 'shopify:' || $account_id, person_key, id[1], id[2], min(seen_at),
       $run_id, now()
FROM pairs
WHERE person_key IS NOT NULL AND id[1] IS NOT NULL AND id[2] IS NOT NULL AND id[2] <> ''
GROUP BY person_key, id[1], id[2];
