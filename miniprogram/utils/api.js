// 服务端 HTTP API（server/README.md）的每个接口各一个函数。请求体里只有商品和数量：
// 价格、金额都由服务端计算，小程序从不发送也从不计算。
// One function per server endpoint (server/README.md). Requests carry a product and a
// quantity only: prices and totals are the server's; the mini-program never sends or computes one.
const { request, send } = require('./request');

/** GET /api/products → [{id, name, price_fen, stock}]（无需登录；stock 为 null 表示不限量）。 */
function listProducts() {
  return send({ path: '/api/products' });
}

/**
 * POST /api/orders → 订单及 `payment`（原样交给 wx.requestPayment）。`checkoutKey` 作为
 * Idempotency-Key 发送：同一次结算的重发（网络错误后）由服务端答回同一张订单，不会下两单。
 * `checkoutKey` goes as the Idempotency-Key header: every resend of one checkout is answered
 * with the same order, so a resend after a network error is safe.
 */
function createOrder(productId, quantity, checkoutKey) {
  const headers = checkoutKey ? { 'Idempotency-Key': checkoutKey } : undefined;
  return request({ path: '/api/orders', method: 'POST', data: { product_id: productId, quantity }, headers, retry: true });
}

/** POST /api/orders/{no}/pay → 同一订单的新支付参数（可安全重发）。 */
function payAgain(outTradeNo) {
  return request({ path: `/api/orders/${encodeURIComponent(outTradeNo)}/pay`, method: 'POST', retry: true });
}

/** GET /api/orders → 我的订单（新的在前），每单带它的退款（refunds、refunded_fee、refund_summary）。 */
function listOrders() {
  return request({ path: '/api/orders' });
}

/** GET /api/orders/{no} → 订单及其退款（未支付时服务端会先向微信查单）。 */
function getOrder(outTradeNo) {
  return request({ path: `/api/orders/${encodeURIComponent(outTradeNo)}` });
}

/**
 * POST /api/orders/{no}/refunds {reason} → 退款申请（金额不填 = 退还剩余全部）。
 * 不自动重发：重发可能变成第二笔退款申请。
 * Not resent automatically: a resend could become a second refund request.
 */
function requestRefund(outTradeNo, reason) {
  return request({ path: `/api/orders/${encodeURIComponent(outTradeNo)}/refunds`, method: 'POST', data: { reason } });
}

/** GET /api/orders/{no}/refunds → 该订单的退款（旧的在前；订单 JSON 的 `refunds` 与之相同）。 */
function listRefunds(outTradeNo) {
  return request({ path: `/api/orders/${encodeURIComponent(outTradeNo)}/refunds` });
}

module.exports = { listProducts, createOrder, payAgain, listOrders, getOrder, requestRefund, listRefunds };
