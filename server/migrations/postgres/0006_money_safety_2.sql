-- Issue 19. A merchant refund is made once per form submission: the page sends an
-- Idempotency-Key, kept on the refund; the same key for the same order finds it again instead
-- of minting a second out_refund_no (a retry after a lost answer was a second refund).
ALTER TABLE refunds ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX refunds_idempotency ON refunds (out_trade_no, idempotency_key);

-- A refund WeChat reports that this server never started (made by hand on 商户平台): recorded
-- as it is at WeChat, for a person, instead of being refused for ever. outside = 1 marks it.
ALTER TABLE refunds ADD COLUMN outside BIGINT NOT NULL DEFAULT 0;
