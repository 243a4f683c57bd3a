// 确认下单并支付。小程序只提交商品和数量；金额、支付参数都由服务端给出，
// 支付是否成功以服务端的订单状态为准。
// Confirm and pay. Only the product and quantity are sent; the amount and the payment
// parameters come from the server, and "paid" means the server says PAID.
const api = require('../../utils/api');
const { payAndConfirm } = require('../../utils/checkout');
const { formatFen } = require('../../utils/money');
const { userMessage } = require('../../utils/errors');
const { newCheckoutKey } = require('../../utils/idempotency');

const MAX_QUANTITY = 99;

Page({
  data: {
    loading: true,
    errorText: '',
    product: null,
    quantity: 1,
    paying: false,
    // '' | 'paid' | 'pending' | 'cancelled' | 'failed'
    payState: '',
    message: '',
    // 服务端创建的订单：{outTradeNo, totalText}
    order: null,
  },

  onLoad(query) {
    this.productId = Number(query.product_id);
    return this.load();
  },

  async load() {
    try {
      const products = await api.listProducts();
      const p = products.find((x) => x.id === this.productId);
      if (!p) {
        this.setData({ loading: false, errorText: '商品不存在或已下架' });
        return;
      }
      this.setData({ loading: false, product: { id: p.id, name: p.name, priceText: formatFen(p.price_fen) } });
    } catch (e) {
      this.setData({ loading: false, errorText: userMessage(e) });
    }
  },

  // 数量变了就是另一次结算：换一个幂等键。A new quantity is a new checkout: a new key.
  onMinus() {
    if (this.data.quantity > 1) {
      this.checkoutKey = null;
      this.setData({ quantity: this.data.quantity - 1 });
    }
  },

  onPlus() {
    if (this.data.quantity < MAX_QUANTITY) {
      this.checkoutKey = null;
      this.setData({ quantity: this.data.quantity + 1 });
    }
  },

  async onPay() {
    if (this.data.paying || !this.data.product) return;
    this.setData({ paying: true, payState: '', message: '' });
    let order;
    // 本次结算的幂等键：再点「支付」（例如网络错误之后）仍是同一张订单。
    // This checkout's key: pressing pay again (say after a network error) is the same order.
    if (!this.checkoutKey) this.checkoutKey = newCheckoutKey();
    try {
      order = await api.createOrder(this.data.product.id, this.data.quantity, this.checkoutKey);
    } catch (e) {
      // 这次结算的订单已关闭：下次点击是新的结算。Its order is closed: the next tap is a new checkout.
      if (e.code === 'CONFLICT') this.checkoutKey = null;
      this.setData({ paying: false, payState: 'failed', message: '下单失败：' + userMessage(e) });
      return;
    }
    this.setData({ order: { outTradeNo: order.out_trade_no, totalText: formatFen(order.total_fee) } });
    const result = await payAndConfirm(order);
    this.setData({ paying: false, payState: result.state, message: result.message });
    if (result.state === 'paid' || result.state === 'pending') {
      wx.redirectTo({ url: `/pages/order/order?out_trade_no=${order.out_trade_no}` });
    }
  },
});
