-- Issue 15. The merchant's back office.
--
-- Search pages newest first by keyset: (created_at, out_trade_no) descending, over all orders,
-- within one status, or within one payer. The key's second column breaks ties, so each index
-- ends with it (these replace 0001's two-column ones).
DROP INDEX orders_status;
DROP INDEX orders_openid;
CREATE INDEX orders_status ON orders (status, created_at, out_trade_no);
CREATE INDEX orders_openid ON orders (openid, created_at, out_trade_no);
CREATE INDEX orders_created ON orders (created_at, out_trade_no);

-- Daily totals: payments by the time we recorded them, SUCCESS refunds by the time they
-- finished. Reconciliation against WeChat's bill: payments by WeChat's time_end
-- (yyyyMMddHHmmss, Beijing time: its day is its first 8 characters), refunds by when they were
-- sent to WeChat.
CREATE INDEX orders_paid_at ON orders (paid_at);
CREATE INDEX orders_time_end ON orders (time_end);
CREATE INDEX refunds_finished ON refunds (status, finished_at);
CREATE INDEX refunds_sent ON refunds (sent_at);
CREATE INDEX refunds_refund_id ON refunds (refund_id);

-- The exceptions queue: orders paid after we closed them (refund or ship; oversold: refund or
-- restock) are few, so a partial index finds them without reading the rest.
CREATE INDEX orders_flagged ON orders (created_at) WHERE paid_after_close = 1 OR oversold = 1;

-- "Handled offline": a person dealt with an exception outside this system (acted on the
-- merchant platform for a CHANGE refund, shipped or refunded a paid-after-close order) and
-- said so, with a note. It takes the row off the queue and changes no money state: a CHANGE
-- refund stays CHANGE (its amount held, refundquery still asked, WeChat's later word still
-- applied); an order stays PAID and flagged. Set once, with an audit row (from = to).
ALTER TABLE refunds ADD COLUMN handled_at BIGINT;
ALTER TABLE refunds ADD COLUMN handled_by TEXT;
ALTER TABLE refunds ADD COLUMN handled_note TEXT;
ALTER TABLE orders ADD COLUMN handled_at BIGINT;
ALTER TABLE orders ADD COLUMN handled_by TEXT;
ALTER TABLE orders ADD COLUMN handled_note TEXT;
