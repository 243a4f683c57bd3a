// 商品列表：价格来自服务端（整数分），点商品进入确认页。没有商品、加载失败都有自己的样子（可重试）。
// Products, priced by the server in integer fen; a tap opens the confirm page. No products and
// a failed load each have their own state (with a retry).
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { userMessage } = require('../../utils/errors');

Page({
  data: {
    loading: true,
    errorText: '',
    products: [],
  },

  onLoad() {
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onRetry() {
    return this.load();
  },

  async load() {
    this.setData({ loading: true, errorText: '' });
    try {
      const products = await api.listProducts();
      this.setData({
        loading: false,
        products: products.map((p) => ({ id: p.id, name: p.name, priceText: formatFen(p.price_fen) })),
      });
    } catch (e) {
      this.setData({ loading: false, products: [], errorText: userMessage(e) });
    }
  },

  onTapProduct(e) {
    const { id } = e.currentTarget.dataset;
    wx.navigateTo({ url: `/pages/confirm/confirm?product_id=${id}` });
  },

  onTapOrders() {
    wx.navigateTo({ url: '/pages/orders/orders' });
  },
});
