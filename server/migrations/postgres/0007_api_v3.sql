-- Issue 23. API v3: every order and refund keeps the API it was placed with, so that a restart
-- in the other version still finishes what is in flight. A v3 order's sign_type is 'RSA' (the
-- signType of its wx.requestPayment).
ALTER TABLE orders ADD COLUMN api_version TEXT NOT NULL DEFAULT 'v2';
ALTER TABLE refunds ADD COLUMN api_version TEXT NOT NULL DEFAULT 'v2';

-- WeChat's verification keys for API v3: the core's KeyStore as JSON (WeChat Pay public keys and
-- platform certificates: nothing secret), one row shared by every instance. Each save bumps
-- version (compare-and-swap); the lease names the one instance that downloads the certificates.
CREATE TABLE wechatpay_keys (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    store       TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    updated_at  BIGINT NOT NULL
);
