// 一次付款的完整结果：调起支付 → 用户操作 → 以服务端的订单状态为准。
// 确认页和订单详情页（继续支付）共用。
// One payment from sheet to settled state: pay → what the user did → the server's state.
// Shared by the confirm page and the order page ("continue paying").
const { requestPayment } = require('./pay');
const { waitForPaid } = require('./payment-result');
const { formatFen } = require('./money');

/**
 * @param {object} order 服务端的订单（含 `payment`）
 * @returns {Promise<{state: 'paid' | 'pending' | 'cancelled' | 'failed', message: string, order?: object}>}
 */
async function payAndConfirm(order) {
  const r = await requestPayment(order.payment, formatFen(order.total_fee));
  if (r.outcome === 'cancel') {
    return { state: 'cancelled', message: '已取消支付，订单保留 30 分钟，可在「我的订单」中继续支付' };
  }
  if (r.outcome === 'fail') {
    console.warn('requestPayment failed:', r.errMsg);
    return { state: 'failed', message: '支付失败，请稍后重试' };
  }
  // 支付界面显示成功 ≠ 已到账：等服务端确认。
  let latest = null;
  try {
    latest = await waitForPaid(order.out_trade_no);
  } catch (e) {
    console.warn('order query failed:', e.code, e.message);
  }
  if (latest && latest.status === 'PAID') return { state: 'paid', message: '支付成功', order: latest };
  if (latest && latest.status === 'CLOSED') return { state: 'failed', message: '订单已关闭，请重新下单', order: latest };
  return { state: 'pending', message: '支付结果确认中，请稍后在订单详情查看', order: latest || order };
}

module.exports = { payAndConfirm };
