// 服务端状态码 → 付款人看到的中文，全在这里。页面只显示服务端给的状态，从不根据支付回调自行认定。
// Server states → what the payer reads, all in one place. Pages show the server's state, never
// one inferred from a client callback.
//
// 退款的文字跟着 server/README.md 的退款状态机（`refund-edges` 表与状态表）：
// The refund labels follow the state machine in server/README.md:
//   REQUESTED  等商家审核                         → 退款审核中
//   APPROVED   商家已同意，退款请求正在发给微信或结果未知 → 退款中
//   PROCESSING 微信已受理                          → 退款中
//   SUCCESS    钱已退回（终态）                      → 已退款
//   CHANGE     钱没退回来，要有人在商户平台处理（非终态） → 退款异常（商家处理中）
//   CLOSED     微信关闭了退款，金额可再申请（终态）       → 退款已关闭
//   REJECTED   商家拒绝，金额可再申请（终态）           → 已拒绝（及商家的说明）
// test/labels.test.js 检查这里恰好覆盖 README 表里的每个状态。

const ORDER_STATUS = {
  NOTPAY: '待支付',
  PAID: '已支付',
  CLOSED: '已关闭',
};

const REFUND_STATUS = {
  REQUESTED: '退款审核中',
  APPROVED: '退款中',
  PROCESSING: '退款中',
  SUCCESS: '已退款',
  CHANGE: '退款异常（商家处理中）',
  CLOSED: '退款已关闭',
  REJECTED: '已拒绝',
};

// 每个状态下付款人需要知道的下一步。What the payer should know next, per state.
const REFUND_HINT = {
  REQUESTED: '等待商家审核',
  APPROVED: '商家已同意，款项将原路退回微信支付账户',
  PROCESSING: '微信支付处理中，款项将原路退回微信支付账户',
  SUCCESS: '已原路退回微信支付账户',
  CHANGE: '款项未能退回，商家正在处理，无需重复申请',
  CLOSED: '退款已关闭，可重新申请',
  REJECTED: '',
};

/** 还在路上的退款（页面会提供刷新）；其余为终态，或（CHANGE）要等人处理。 */
const REFUND_IN_FLIGHT = ['REQUESTED', 'APPROVED', 'PROCESSING'];

/** 占用着可退金额的退款：有一笔就不再显示「申请退款」（示例只做整单退款）。 */
const REFUND_HOLDS_AMOUNT = ['REQUESTED', 'APPROVED', 'PROCESSING', 'CHANGE', 'SUCCESS'];

function orderStatusText(status) {
  return ORDER_STATUS[status] || status;
}

function refundStatusText(status) {
  return REFUND_STATUS[status] || status;
}

/**
 * 一笔退款在页面上的样子。商家拒绝时带上商家的说明（服务端退款 JSON 的 `reject_reason`，有则显示）。
 * One refund as shown; a rejection carries the merchant's words when the server sends them.
 * @param {{status: string, reject_reason?: string | null}} refund 服务端的退款 JSON
 * @returns {{statusText: string, hint: string}}
 */
function refundLabel(refund) {
  const reason = typeof refund.reject_reason === 'string' ? refund.reject_reason.trim() : '';
  const hint = refund.status === 'REJECTED' && reason ? `商家说明：${reason}` : REFUND_HINT[refund.status] || '';
  return { statusText: refundStatusText(refund.status), hint };
}

/**
 * 订单在列表和详情页顶部的一个状态：未支付、已关闭照旧；已支付的订单看它的退款——
 * 有异常先说异常，再是进行中的，然后是退了多少（全部 / 部分），最后是最近一笔被拒绝。
 * 订单 JSON 自己带着退款（`refunds`）、已退金额（`refunded_fee`，服务端算好的 SUCCESS 退款之和）和
 * 退了多少（`refund_summary`：NONE / PARTLY_REFUNDED / FULLY_REFUNDED）：用法是 orderLabel(o, o.refunds)。
 * `refunds` 为 null 表示不知道它的退款，只说订单状态。
 * The one label of an order in the list and atop its page. A paid order reads its refunds:
 * an exception first, then one in flight, then how much came back (all / part), then a latest
 * rejection. The order JSON carries its refunds, `refunded_fee` (the server's sum of the SUCCESS
 * ones) and `refund_summary`: orderLabel(o, o.refunds). `refunds` null: unknown, the order's own
 * state only.
 * @param {{status: string, refunded_fee?: number, refund_summary?: string}} order 服务端的订单 JSON
 * @param {Array<{status: string, refund_fee: number, requested_at: number}> | null} refunds 该订单的退款
 * @returns {{text: string, tone: string, refundedFee: number}} tone 用于样式（class status-<tone>）
 */
function orderLabel(order, refunds) {
  const plain = { text: orderStatusText(order.status), tone: order.status, refundedFee: 0 };
  if (order.status !== 'PAID' || !refunds || refunds.length === 0) return plain;
  const has = (states) => refunds.some((r) => states.includes(r.status));
  // 已退多少只用服务端给的数和摘要，小程序不做金额运算。The server's amount and summary; no money math here.
  const refundedFee = Number.isSafeInteger(order.refunded_fee) ? order.refunded_fee : 0;
  if (has(['CHANGE'])) return { text: REFUND_STATUS.CHANGE, tone: 'CHANGE', refundedFee };
  if (has(['APPROVED', 'PROCESSING'])) return { text: REFUND_STATUS.PROCESSING, tone: 'REFUNDING', refundedFee };
  if (has(['REQUESTED'])) return { text: REFUND_STATUS.REQUESTED, tone: 'REQUESTED', refundedFee };
  if (order.refund_summary === 'FULLY_REFUNDED') return { text: '已退款', tone: 'REFUNDED', refundedFee };
  if (order.refund_summary === 'PARTLY_REFUNDED') return { text: '部分退款', tone: 'PARTLY_REFUNDED', refundedFee };
  const latest = refunds.reduce((a, b) => (b.requested_at > a.requested_at ? b : a));
  if (latest.status === 'REJECTED') return { text: '退款' + REFUND_STATUS.REJECTED, tone: 'REJECTED', refundedFee };
  return { ...plain, refundedFee };
}

module.exports = { orderStatusText, refundStatusText, refundLabel, orderLabel, REFUND_STATUS, REFUND_IN_FLIGHT, REFUND_HOLDS_AMOUNT };
