// 支付之后：轮询服务端，直到订单状态由服务端（收到微信支付通知或查单后）变为 PAID，
// 或超时，或页面离开（cancel）。wx.requestPayment 的 success 回调不代表已到账，以服务端为准。
// After paying: poll the server until it says PAID (after WeChat's notify, or its own
// orderquery), or give up at a deadline, or stop when the page is left (cancel).
// requestPayment's success is not proof of payment.
const config = require('../config');
const api = require('./api');
const { newCancelToken } = require('./cancel');

/**
 * @param {string} outTradeNo
 * @param {{timeoutMs?: number, intervalMs?: number, cancel?: import('./cancel').CancelToken}} [options]
 * @returns {Promise<object | null>} 最后一次读到的订单：status 为 PAID、CLOSED，或超时时仍为 NOTPAY；
 *   取消时为 null（取消之后不再发请求）。
 *   The last order read: PAID, CLOSED, or still NOTPAY at the deadline; null once cancelled
 *   (nothing is sent after that).
 */
async function waitForPaid(outTradeNo, { timeoutMs = config.payConfirmTimeoutMs, intervalMs = config.pollIntervalMs, cancel = newCancelToken() } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cancel.cancelled) return null;
    let order = null;
    try {
      order = await api.getOrder(outTradeNo);
      if (order.status !== 'NOTPAY') return cancel.cancelled ? null : order;
    } catch (e) {
      // 查询失败不等于支付失败：到期前继续问。
      if (Date.now() + intervalMs >= deadline) throw e;
    }
    if (Date.now() + intervalMs >= deadline) return cancel.cancelled ? null : order;
    await cancel.sleep(intervalMs);
  }
}

module.exports = { waitForPaid };
