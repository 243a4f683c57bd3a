-- Money is integer fen everywhere. Times are Unix milliseconds (BIGINT), except WeChat's own
-- yyyyMMddHHmmss strings, which are kept as sent.

CREATE TABLE products (
    id          BIGINT PRIMARY KEY,
    name        TEXT    NOT NULL,
    price_fen   BIGINT NOT NULL CHECK (price_fen > 0),
    active      BIGINT NOT NULL DEFAULT 1
);

INSERT INTO products (id, name, price_fen) VALUES
    (1, '拿铁 Latte', 1800),
    (2, '美式 Americano', 1200),
    (3, '可颂 Croissant', 900);

-- A login: the token is random and only its SHA-256 is stored; openid and session_key
-- never leave the server.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    openid      TEXT    NOT NULL,
    session_key TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- status: NOTPAY -> PAID | CLOSED (a late payment notify may still move CLOSED -> PAID).
-- refunded_fee is for refunds (a separate refunds table will reference out_trade_no).
CREATE TABLE orders (
    out_trade_no      TEXT    PRIMARY KEY,
    openid            TEXT    NOT NULL,
    product_id        BIGINT NOT NULL REFERENCES products (id),
    product_name      TEXT    NOT NULL,
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_fen    BIGINT NOT NULL CHECK (unit_price_fen > 0),
    total_fee         BIGINT NOT NULL CHECK (total_fee > 0),
    status            TEXT    NOT NULL,
    sign_type         TEXT    NOT NULL,
    spbill_create_ip  TEXT    NOT NULL,
    time_start        TEXT    NOT NULL,
    time_expire       TEXT    NOT NULL,
    expires_at        BIGINT NOT NULL,
    prepay_id         TEXT,
    prepay_expires_at BIGINT,
    transaction_id    TEXT    UNIQUE,
    time_end          TEXT,
    paid_at           BIGINT,
    closed_at         BIGINT,
    refunded_fee      BIGINT NOT NULL DEFAULT 0,
    checked_at        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX orders_openid ON orders (openid, created_at);
CREATE INDEX orders_status ON orders (status, created_at);

-- One row per state change, written in the same transaction as the change.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    detail      TEXT
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
