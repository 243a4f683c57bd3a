-- Issue 14. Stock: products.stock is what is left to sell (NULL: not tracked, sells without
-- limit, as every product did before this migration). Creating an order takes its quantity off
-- in the transaction that inserts it (a conditional UPDATE … WHERE stock >= quantity), so
-- concurrent orders on any number of instances cannot oversell; the CHECK is the last line.
ALTER TABLE products ADD COLUMN stock INTEGER CHECK (stock >= 0);
-- The demo products seeded by 0001 get a stock (only as seeded: a product a merchant has
-- renamed or repriced keeps selling untracked until they set one).
UPDATE products SET stock = 100 WHERE (id, name, price_fen) IN ((1, '拿铁 Latte', 1800), (2, '美式 Americano', 1200));
UPDATE products SET stock = 20 WHERE id = 3 AND name = '可颂 Croissant' AND price_fen = 900;

-- stock_reserved: 1 while the order's units are off its product's stock (held for an unpaid
-- order, sold for a paid one). Closing an unpaid order gives them back once (1 -> 0 in the
-- transaction of NOTPAY -> CLOSED). A payment for a closed order takes them again if they are
-- left (0 -> 1), else sets oversold: the money arrived for units we no longer have (refund it
-- or restock), shown to the merchant. Orders from before this migration hold nothing.
ALTER TABLE orders ADD COLUMN stock_reserved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN oversold INTEGER NOT NULL DEFAULT 0;

-- The merchant's reason when rejecting a refund, shown to the payer (NULL: none given).
ALTER TABLE refunds ADD COLUMN reject_reason TEXT;
