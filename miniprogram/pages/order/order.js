// 订单详情：服务端的订单状态与退款进度；待支付可继续支付，已支付可申请退款。
// Order detail: the server's order state and refunds; continue paying an unpaid order, or
// ask for a refund of a paid one.
const api = require('../../utils/api');
const { payAndConfirm } = require('../../utils/checkout');
const { formatFen } = require('../../utils/money');
const { formatTime } = require('../../utils/time');
const { orderStatusText, refundStatusText, REFUND_IN_FLIGHT } = require('../../utils/labels');
const { userMessage } = require('../../utils/errors');

// 这些状态的退款占用了可退金额（示例只做整单退款，所以有一笔就不再显示「申请退款」）。
const REFUND_HOLDS_AMOUNT = [...REFUND_IN_FLIGHT, 'SUCCESS'];

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
    payState: '',
    message: '',
  },

  onLoad(query) {
    this.outTradeNo = query.out_trade_no;
    return this.load();
  },

  onShow() {
    // 从退款页返回时刷新（首次显示时 onLoad 已经在加载）。
    if (this.data.order) return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onRefresh() {
    return this.load();
  },

  async load() {
    try {
      const [o, refunds] = await Promise.all([api.getOrder(this.outTradeNo), api.listRefunds(this.outTradeNo)]);
      this.setData({
        loading: false,
        errorText: '',
        order: {
          outTradeNo: o.out_trade_no,
          title: `${o.product_name} × ${o.quantity}`,
          amountText: formatFen(o.total_fee),
          status: o.status,
          statusText: orderStatusText(o.status),
          transactionId: o.transaction_id || '',
          createdText: formatTime(o.created_at),
          paidText: formatTime(o.paid_at),
          expiresText: formatTime(o.expires_at),
        },
        refunds: refunds.map((r) => ({
          outRefundNo: r.out_refund_no,
          amountText: formatFen(r.refund_fee),
          reason: r.reason,
          status: r.status,
          statusText: refundStatusText(r.status),
          requestedText: formatTime(r.requested_at),
          finishedText: formatTime(r.finished_at),
        })),
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
    try {
      const order = await api.payAgain(this.outTradeNo);
      const result = await payAndConfirm(order);
      this.setData({ payState: result.state, message: result.message });
    } catch (e) {
      this.setData({ payState: 'failed', message: '支付失败：' + userMessage(e) });
    }
    this.setData({ paying: false });
    await this.load();
  },

  onRefund() {
    wx.navigateTo({ url: `/pages/refund/refund?out_trade_no=${this.outTradeNo}` });
  },
});
