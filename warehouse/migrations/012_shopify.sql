-- Shopify tables, typed. Ids are the bare numbers of Shopify's global ids
-- (gid://shopify/Order/5100000423967 -> '5100000423967'); account_id is the shop's
-- myshopify domain. Money is in the shop's currency, major units (MoneyBag shopMoney).
-- updated_date is the day of updated_at in the shop's time zone (the incremental cursor).
CREATE SCHEMA IF NOT EXISTS shopify;

CREATE TABLE IF NOT EXISTS shopify.shops (
    account_id    VARCHAR,
    shop_id       VARCHAR,
    name          VARCHAR,
    currency      VARCHAR,
    timezone_name VARCHAR,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS shopify.orders (
    account_id          VARCHAR,
    order_id            VARCHAR,
    updated_date        DATE,
    name                VARCHAR,
    created_at          TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ,
    processed_at        TIMESTAMPTZ,
    cancelled_at        TIMESTAMPTZ,
    currency            VARCHAR,
    total_price         DECIMAL(18, 4),
    subtotal_price      DECIMAL(18, 4),
    current_total_price DECIMAL(18, 4),
    total_refunded      DECIMAL(18, 4),
    total_tax           DECIMAL(18, 4),
    customer_id         VARCHAR,
    email               VARCHAR,
    phone               VARCHAR,
    financial_status    VARCHAR,
    fulfillment_status  VARCHAR,
    landing_page        VARCHAR,   -- the visit that placed the order (lastVisit)
    referrer_url        VARCHAR,
    visit_at            TIMESTAMPTZ,
    utm_source          VARCHAR,
    utm_medium          VARCHAR,
    utm_campaign        VARCHAR,
    click_id_type       VARCHAR,   -- gclid, fbclid, li_fat_id (from the landing page URL)
    click_id            VARCHAR,
    first_landing_page  VARCHAR,   -- the first visit of the journey (firstVisit)
    first_visit_at      TIMESTAMPTZ,
    first_utm_source    VARCHAR,
    first_utm_medium    VARCHAR,
    first_utm_campaign  VARCHAR,
    first_click_id_type VARCHAR,
    first_click_id      VARCHAR,
    _run_id             VARCHAR,
    _loaded_at          TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS shopify.order_line_items (
    account_id       VARCHAR,
    order_id         VARCHAR,
    line_item_id     VARCHAR,
    updated_date     DATE,
    order_updated_at TIMESTAMPTZ,
    sku              VARCHAR,
    title            VARCHAR,
    quantity         INTEGER,
    current_quantity INTEGER,
    unit_price       DECIMAL(18, 4),
    currency         VARCHAR,
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS shopify.customers (
    account_id               VARCHAR,
    customer_id              VARCHAR,
    email                    VARCHAR,
    phone                    VARCHAR,
    first_name               VARCHAR,
    last_name                VARCHAR,
    created_at               TIMESTAMPTZ,
    updated_at               TIMESTAMPTZ,
    number_of_orders         BIGINT,
    amount_spent             DECIMAL(18, 4),
    currency                 VARCHAR,
    state                    VARCHAR,
    email_marketing_state    VARCHAR,
    accepts_email_marketing  BOOLEAN,
    email_consent_updated_at TIMESTAMPTZ,
    sms_marketing_state      VARCHAR,
    accepts_sms_marketing    BOOLEAN,
    _run_id                  VARCHAR,
    _loaded_at               TIMESTAMPTZ
);
