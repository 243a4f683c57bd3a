// 我的订单：服务端的订单列表（新的在前）。已支付的订单显示它的退款进度（utils/labels.js 的
// orderLabel），所以退了款的订单不会再显示「已支付」。
// My orders, newest first. A paid order shows where its refunds stand (orderLabel), so a
// refunded order no longer reads 已支付.
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { formatTime } = require('../../utils/time');
const { orderLabel } = require('../../utils/labels');
const { userMessage } = require('../../utils/errors');

// 订单列表的 JSON 不带退款：已支付的订单各查一次 GET /api/orders/{no}/refunds，同时最多这么多个
// （小程序的 wx.request 并发上限是 10，留给别的请求）。
// The order list's JSON carries no refunds: each paid order's are fetched, this many at a time
// (wx.request allows 10 at once; the rest are left for other requests).
const REFUND_LOOKUPS_AT_ONCE = 4;

/**
 * 已支付订单的退款：out_trade_no → 退款数组；查询失败的那一单为 null（只显示订单状态）。
 * Refunds of the paid orders; null for one whose lookup failed (its order state is shown).
 * @param {Array<{out_trade_no: string, status: string}>} orders
 * @returns {Promise<Map<string, Array<object> | null>>}
 */
async function refundsOfPaid(orders) {
  const queue = orders.filter((o) => o.status === 'PAID').map((o) => o.out_trade_no);
  const found = new Map();
  async function worker() {
    for (let no = queue.shift(); no !== undefined; no = queue.shift()) {
      try {
        found.set(no, await api.listRefunds(no));
      } catch (e) {
        console.warn('refunds of', no, 'not loaded:', e.code);
        found.set(no, null);
      }
    }
  }
  await Promise.all(Array.from({ length: REFUND_LOOKUPS_AT_ONCE }, worker));
  return found;
}

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
      const refunds = await refundsOfPaid(orders);
      this.setData({
        loading: false,
        orders: orders.map((o) => {
          const label = orderLabel(o, refunds.get(o.out_trade_no) || null);
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
