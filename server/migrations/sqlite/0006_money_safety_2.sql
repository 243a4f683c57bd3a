-- Issue 19. A merchant refund is made once per form submission: the page sends an
-- Idempotency-Key, kept on the refund; the same key for the same order finds it again instead
-- of minting a second out_refund_no (a retry after a lost answer was a second refund).
ALTER TABLE refunds ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX refunds_idempotency ON refunds (out_trade_no, idempotency_key);
