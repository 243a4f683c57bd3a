-- Refunds: REQUESTED -> APPROVED -> PROCESSING -> SUCCESS | CHANGE | CLOSED, or REQUESTED -> REJECTED.
-- A refund call that WeChat definitively refused goes back APPROVED -> REQUESTED (last_error
-- says why) so it can be approved again or rejected. The sum of the refund_fee of an order's
-- REQUESTED, APPROVED, PROCESSING and SUCCESS refunds never exceeds its total_fee: checked in
-- the transaction that inserts, after locking the order row.
-- orders.refunded_fee is the sum of its SUCCESS refunds.
CREATE TABLE refunds (
    out_refund_no         TEXT    PRIMARY KEY,
    out_trade_no          TEXT    NOT NULL REFERENCES orders (out_trade_no),
    openid                TEXT    NOT NULL,
    total_fee             INTEGER NOT NULL CHECK (total_fee > 0),
    refund_fee            INTEGER NOT NULL CHECK (refund_fee > 0 AND refund_fee <= total_fee),
    reason                TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    refund_id             TEXT,
    settlement_refund_fee INTEGER,
    success_time          TEXT,
    recv_account          TEXT,
    last_error            TEXT,
    requested_at          INTEGER NOT NULL,
    approved_at           INTEGER,
    finished_at           INTEGER,
    checked_at            INTEGER,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (out_trade_no);
CREATE INDEX refunds_status ON refunds (status, updated_at);
