// 一次付款的完整结果：调起支付 → 用户操作 → 以服务端的订单状态为准。
// 确认页和订单详情页（继续支付）共用。
// One payment from sheet to settled state: pay → what the user did → the server's state.
// Shared by the confirm page and the order page ("continue paying").
const { requestPayment } = require('./pay');
const { waitForPaid } = require('./payment-result');
const { newCancelToken } = require('./cancel');
const { formatFen } = require('./money');
const { formatTime } = require('./time');

/**
 * 取消支付后的提示：订单保留到服务端给的支付截止时间（订单 JSON 的 `expires_at`）。
 * The message after a cancel: the order stays payable until the server's `expires_at`.
 * @param {{expires_at?: number}} order
 */
function cancelledMessage(order) {
  if (Number.isSafeInteger(order.expires_at)) {
    return `已取消支付。订单保留至 ${formatTime(order.expires_at)}，在此之前可在「我的订单」中继续支付`;
  }
  return '已取消支付，订单已保留，可在「我的订单」中继续支付';
}

/**
 * @typedef {'paid' | 'pending' | 'cancelled' | 'failed' | 'left'} PayState
 *   left：页面已经离开（cancel 被触发），调用方什么也不要做。left: the page is gone; do nothing.
 */

/**
 * @param {object} order 服务端的订单（含 `payment`）
 * @param {object} [options]
 * @param {import('./cancel').CancelToken} [options.cancel] 页面离开时取消（不再轮询）
 * @param {() => void} [options.onChecking] 支付界面返回成功、开始向服务端确认时调用
 * @returns {Promise<{state: PayState, message: string, order?: object}>}
 */
async function payAndConfirm(order, { cancel = newCancelToken(), onChecking } = {}) {
  const r = await requestPayment(order.payment, formatFen(order.total_fee));
  if (cancel.cancelled) return { state: 'left', message: '' };
  if (r.outcome === 'cancel') return { state: 'cancelled', message: cancelledMessage(order) };
  if (r.outcome === 'fail') {
    console.warn('requestPayment failed:', r.errMsg);
    return { state: 'failed', message: '支付失败，请稍后重试' };
  }
  // 支付界面显示成功 ≠ 已到账：等服务端确认。
  if (onChecking) onChecking();
  let latest = null;
  try {
    latest = await waitForPaid(order.out_trade_no, { cancel });
  } catch (e) {
    console.warn('order query failed:', e.code, e.message);
  }
  if (cancel.cancelled) return { state: 'left', message: '' };
  if (latest && latest.status === 'PAID') return { state: 'paid', message: '支付成功', order: latest };
  if (latest && latest.status === 'CLOSED') return { state: 'failed', message: '订单已关闭，请重新下单', order: latest };
  return { state: 'pending', message: '支付结果确认中，请稍后在订单详情查看', order: latest || order };
}

module.exports = { payAndConfirm, cancelledMessage };
