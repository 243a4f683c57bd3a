// 我的订单：服务端的订单列表（新的在前），一次请求——每单的 JSON 自己带着退款（refunds、refunded_fee、
// refund_summary）。已支付的订单显示它的退款进度（utils/labels.js 的 orderLabel），所以退了款的订单不会
// 再显示「已支付」。
// My orders, newest first, in one request: each order's JSON carries its refunds. A paid order
// shows where they stand (orderLabel), so a refunded order no longer reads 已支付.
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { formatTime } = require('../../utils/time');
const { orderLabel } = require('../../utils/labels');
const { userMessage } = require('../../utils/errors');

Page({
  data: {
    loading: true,
    errorText: '',
    orders: [],
  },

  onShow() {
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    this.setData({ errorText: '' });
    try {
      const orders = await api.listOrders();
      this.setData({
        loading: false,
        orders: orders.map((o) => {
          const label = orderLabel(o, o.refunds);
          return {
            outTradeNo: o.out_trade_no,
            title: `${o.product_name} × ${o.quantity}`,
            amountText: formatFen(o.total_fee),
            statusText: label.text,
            tone: label.tone,
            createdText: formatTime(o.created_at),
          };
        }),
      });
    } catch (e) {
      this.setData({ loading: false, errorText: userMessage(e) });
    }
  },

  onTapOrder(e) {
    const { no } = e.currentTarget.dataset;
    wx.navigateTo({ url: `/pages/order/order?out_trade_no=${no}` });
  },
});
