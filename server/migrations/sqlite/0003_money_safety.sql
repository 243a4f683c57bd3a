-- Issue 10. Refunds: a claim (send_owner, send_until) lets one sender at a time call WeChat
-- about a refund; a claim whose lease has run out may be taken over. sent_at: when a request
-- for it may first have reached WeChat (NULL: never, so a local failure may send it back to
-- REQUESTED). CHANGE now holds its amount (see server/README.md, the refund state machine).
-- Reconciler: failures counts consecutive failed visits of a row, next_check_at is its back-off,
-- last_error the latest failure (shown to the admin once failures reach the surfacing limit).
ALTER TABLE refunds ADD COLUMN send_owner TEXT;
ALTER TABLE refunds ADD COLUMN send_until INTEGER;
ALTER TABLE refunds ADD COLUMN sent_at INTEGER;
ALTER TABLE refunds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN next_check_at INTEGER;
CREATE INDEX refunds_visit ON refunds (status, checked_at);

-- Orders: the client's Idempotency-Key (one order per key and payer), a payment WeChat reported
-- for an order we had closed (paid_after_close: refund or ship), and the reconciler's back-off.
ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
ALTER TABLE orders ADD COLUMN paid_after_close INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN next_check_at INTEGER;
ALTER TABLE orders ADD COLUMN last_error TEXT;
CREATE UNIQUE INDEX orders_idempotency ON orders (openid, idempotency_key);
CREATE INDEX orders_visit ON orders (status, checked_at);

-- What the database is for: 'sandbox' once `serve --sandbox` has used it, 'live' once
-- `serve` has; `serve --sandbox` refuses a live database unless told otherwise.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
