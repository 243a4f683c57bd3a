// 订单详情：服务端的订单状态与退款进度；待支付可继续支付，已支付可申请退款。
// Order detail: the server's order state and refunds; continue paying an unpaid order, or
// ask for a refund of a paid one.
const api = require('../../utils/api');
const { payAndConfirm } = require('../../utils/checkout');
const { newCancelToken } = require('../../utils/cancel');
const { formatFen } = require('../../utils/money');
const { formatTime } = require('../../utils/time');
const { orderLabel, refundLabel, REFUND_IN_FLIGHT, REFUND_HOLDS_AMOUNT } = require('../../utils/labels');
const { userMessage } = require('../../utils/errors');

Page({
  data: {
    loading: true,
    errorText: '',
    order: null,
    refunds: [],
    canPay: false,
    canRefund: false,
    refundInFlight: false,
    paying: false,
    checking: false,
    payState: '',
    message: '',
  },

  onLoad(query) {
    this.outTradeNo = query.out_trade_no;
    this.cancel = newCancelToken();
    return this.load();
  },

  onShow() {
    // 从退款页返回时刷新（首次显示时 onLoad 已经在加载）。
    if (this.data.order) return this.load();
  },

  // 离开页面：继续支付后的确认不再轮询。onHide 不取消（支付界面本身会让页面 onHide / onShow）。
  // Left: the check after 继续支付 stops polling. onHide does not (the payment sheet hides the page).
  onUnload() {
    this.cancel.cancel();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onRefresh() {
    return this.load();
  },

  async load() {
    try {
      // 订单 JSON 自己带着它的退款：一次请求。The order's JSON carries its refunds: one request.
      const o = await api.getOrder(this.outTradeNo);
      const refunds = o.refunds;
      const label = orderLabel(o, refunds);
      this.setData({
        loading: false,
        errorText: '',
        order: {
          outTradeNo: o.out_trade_no,
          title: `${o.product_name} × ${o.quantity}`,
          amountText: formatFen(o.total_fee),
          status: o.status,
          statusText: label.text,
          tone: label.tone,
          refundedText: label.refundedFee > 0 ? formatFen(label.refundedFee) : '',
          transactionId: o.transaction_id || '',
          createdText: formatTime(o.created_at),
          paidText: formatTime(o.paid_at),
          expiresText: formatTime(o.expires_at),
        },
        refunds: refunds.map((r) => {
          const { statusText, hint } = refundLabel(r);
          return {
            outRefundNo: r.out_refund_no,
            amountText: formatFen(r.refund_fee),
            reason: r.reason,
            status: r.status,
            statusText,
            hint,
            requestedText: formatTime(r.requested_at),
            finishedText: formatTime(r.finished_at),
          };
        }),
        canPay: o.status === 'NOTPAY',
        canRefund: o.status === 'PAID' && !refunds.some((r) => REFUND_HOLDS_AMOUNT.includes(r.status)),
        refundInFlight: refunds.some((r) => REFUND_IN_FLIGHT.includes(r.status)),
      });
    } catch (e) {
      this.setData({ loading: false, errorText: userMessage(e) });
    }
  },

  async onPay() {
    if (this.data.paying) return;
    this.setData({ paying: true, payState: '', message: '' });
    let result;
    try {
      const order = await api.payAgain(this.outTradeNo);
      if (this.cancel.cancelled) return;
      result = await payAndConfirm(order, { cancel: this.cancel, onChecking: () => this.setData({ checking: true }) });
    } catch (e) {
      result = { state: 'failed', message: '支付失败：' + userMessage(e) };
    }
    if (result.state === 'left') return;
    this.setData({ paying: false, checking: false, payState: result.state, message: result.message });
    await this.load();
  },

  onRefund() {
    wx.navigateTo({ url: `/pages/refund/refund?out_trade_no=${this.outTradeNo}` });
  },
});
