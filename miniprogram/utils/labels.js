// 服务端状态码 → 中文。页面只显示服务端给的状态，从不根据支付回调自行认定。
// Server states → Chinese labels. Pages show the server's state, never one inferred from a
// client callback.

const ORDER_STATUS = {
  NOTPAY: '待支付',
  PAID: '已支付',
  CLOSED: '已关闭',
};

const REFUND_STATUS = {
  REQUESTED: '退款申请已提交，等待商家处理',
  APPROVED: '商家已同意，退款处理中',
  PROCESSING: '退款处理中',
  SUCCESS: '已退款',
  CHANGE: '退款异常，请联系客服',
  CLOSED: '退款已关闭',
  REJECTED: '商家已拒绝退款',
};

/** 还在路上的退款（页面会继续刷新）；SUCCESS 及之后为终态。 */
const REFUND_IN_FLIGHT = ['REQUESTED', 'APPROVED', 'PROCESSING'];

function orderStatusText(status) {
  return ORDER_STATUS[status] || status;
}

function refundStatusText(status) {
  return REFUND_STATUS[status] || status;
}

module.exports = { orderStatusText, refundStatusText, REFUND_IN_FLIGHT };
