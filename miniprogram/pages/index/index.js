// 商品列表：价格和库存来自服务端（整数分；库存 N / 已售罄），点商品进入确认页（已售罄的不进）。没有商品、
// 加载失败都有自己的样子（可重试）。每次显示都重新加载：库存会变。
// Products, priced by the server in integer fen, with what is left (库存 N / 已售罄); a tap opens
// the confirm page (not for a sold-out one). No products and a failed load each have their own
// state (with a retry). Loaded again on every show: stock changes.
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { stockLabel } = require('../../utils/stock');
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

  // 从确认页、订单页回来时刷新库存（首次显示紧跟 onLoad，那时还在加载）。
  // Back from another page: the stock may have changed (the first show follows onLoad, still loading).
  onShow() {
    if (!this.data.loading) return this.load();
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
        products: products.map((p) => ({ id: p.id, name: p.name, priceText: formatFen(p.price_fen), ...stockLabel(p.stock) })),
      });
    } catch (e) {
      this.setData({ loading: false, products: [], errorText: userMessage(e) });
    }
  },

  onTapProduct(e) {
    const { id, soldout } = e.currentTarget.dataset;
    if (soldout) {
      wx.showToast({ title: '已售罄', icon: 'none' });
      return;
    }
    wx.navigateTo({ url: `/pages/confirm/confirm?product_id=${id}` });
  },

  onTapOrders() {
    wx.navigateTo({ url: '/pages/orders/orders' });
  },
});
