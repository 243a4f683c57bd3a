// 我的订单：服务端的订单列表（新的在前），状态由服务端给出。
// My orders, newest first, with the server's status.
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { formatTime } = require('../../utils/time');
const { orderStatusText } = require('../../utils/labels');
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
        orders: orders.map((o) => ({
          outTradeNo: o.out_trade_no,
          title: `${o.product_name} × ${o.quantity}`,
          amountText: formatFen(o.total_fee),
          status: o.status,
          statusText: orderStatusText(o.status),
          createdText: formatTime(o.created_at),
        })),
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
