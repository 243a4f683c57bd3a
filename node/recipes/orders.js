'use strict';
// Stands in for your database: the orders as stored, and the one write a payment notify makes.
// Replace both functions with your own; keep the write conditional, so that duplicates (WeChat
// sends them, sometimes concurrently) apply once.

/** outTradeNo → the order, as `judgePayment` reads it (`signType`: v2's, pinned; v3's is RSA). */
const orders = new Map();

/** The order, or null. */
async function findOrder(outTradeNo) {
  return orders.get(outTradeNo) || null;
}

/**
 * UPDATE orders SET status = 'PAID', transaction_id = ? WHERE out_trade_no = ? AND status = ?
 * Whether it changed the row (false: something else moved it first: read and judge again).
 */
async function markPaid(outTradeNo, from, transactionId) {
  const order = orders.get(outTradeNo);
  if (!order || order.status !== from) return false;
  Object.assign(order, { status: 'PAID', transactionId });
  return true;
}

module.exports = { orders, findOrder, markPaid };
