// 确认下单并支付。小程序只提交商品和数量；金额、支付参数都由服务端给出，
// 支付是否成功以服务端的订单状态为准。库存：显示服务端说的剩余件数，数量不能超过它；下单时
// 服务端再判断一次（库存不足 → 409 OUT_OF_STOCK，什么都没存，也没找微信），页面据此更新剩余件数、调低数量。
// Confirm and pay. Only the product and quantity are sent; the amount and the payment
// parameters come from the server, and "paid" means the server says PAID. Stock: what the
// server says is left is shown and caps the quantity; the server decides again when ordering
// (409 OUT_OF_STOCK: nothing stored, nothing sent to WeChat), and the page takes its count.
const api = require('../../utils/api');
const { payAndConfirm } = require('../../utils/checkout');
const { newCancelToken } = require('../../utils/cancel');
const { formatFen } = require('../../utils/money');
const { stockLabel } = require('../../utils/stock');
const { userMessage } = require('../../utils/errors');
const { newCheckoutKey } = require('../../utils/idempotency');

/** 页面上的商品：服务端的名称、价格和库存（stockLabel：stockText、soldOut、maxQuantity）。 */
function productView(p, stock) {
  return { id: p.id, name: p.name, priceText: p.priceText || formatFen(p.price_fen), ...stockLabel(stock) };
}

Page({
  data: {
    loading: true,
    errorText: '',
    product: null,
    quantity: 1,
    paying: false,
    // 支付界面已返回成功，正在等服务端确认。The sheet said ok; waiting for the server.
    checking: false,
    // '' | 'paid' | 'pending' | 'cancelled' | 'failed'
    payState: '',
    message: '',
    // 服务端为这次结算创建的订单：{outTradeNo, totalText}；数量一变就作废。
    // The order the server made for this checkout; void once the quantity changes.
    order: null,
  },

  onLoad(query) {
    this.productId = Number(query.product_id);
    // 本次结算的幂等键（utils/idempotency.js），和页面离开时取消支付检查的令牌。
    // This checkout's Idempotency-Key, and the token that cancels the payment check on leaving.
    this.checkoutKey = '';
    this.cancel = newCancelToken();
    return this.load();
  },

  // 返回（或被关闭）：不再轮询，不再跳转。onHide 不取消：调起支付界面本身就会让页面 onHide / onShow，
  // 支付后的确认正是在那之后进行的。
  // Left (back, or closed): no more polling, no redirect. onHide does not cancel: the payment
  // sheet itself hides and shows the page, and the check runs right after it.
  onUnload() {
    this.cancel.cancel();
  },

  async load() {
    try {
      const products = await api.listProducts();
      const p = products.find((x) => x.id === this.productId);
      if (!p) {
        this.setData({ loading: false, errorText: '商品不存在或已下架' });
        return;
      }
      this.setData({ loading: false, product: productView(p, p.stock) });
    } catch (e) {
      this.setData({ loading: false, errorText: userMessage(e) });
    }
  },

  onMinus() {
    if (this.data.quantity > 1) this.setQuantity(this.data.quantity - 1);
  },

  onPlus() {
    if (this.data.product && this.data.quantity < this.data.product.maxQuantity) this.setQuantity(this.data.quantity + 1);
  },

  // 数量变了就是另一次结算：旧订单的金额和提示作废，下次「支付」用新的幂等键下新单（旧的未支付订单到期关闭）。
  // A new quantity is a new checkout: the old order's total and message go, and the next tap
  // makes a new order under a new key (the old unpaid one expires on the server).
  setQuantity(quantity) {
    if (this.data.paying) return;
    this.checkoutKey = '';
    this.setData({ quantity, order: null, payState: '', message: '' });
  },

  async onPay() {
    if (this.data.paying || !this.data.product || this.data.product.soldOut) return;
    this.setData({ paying: true, payState: '', message: '' });
    let order;
    // 本次结算的幂等键：再点「支付」（例如网络错误之后）仍是同一张订单。
    // This checkout's key: pressing pay again (say after a network error) is the same order.
    if (!this.checkoutKey) this.checkoutKey = newCheckoutKey();
    try {
      order = await api.createOrder(this.data.product.id, this.data.quantity, this.checkoutKey);
    } catch (e) {
      if (this.cancel.cancelled) return;
      if (e.code === 'OUT_OF_STOCK') {
        this.onOutOfStock(typeof e.available === 'number' ? e.available : 0);
        return;
      }
      // 这次结算的订单已关闭：下次点击是新的结算。Its order is closed: the next tap is a new checkout.
      if (e.code === 'CONFLICT') this.checkoutKey = '';
      this.setData({ paying: false, payState: 'failed', message: '下单失败：' + userMessage(e) });
      return;
    }
    if (this.cancel.cancelled) return;
    this.setData({ order: { outTradeNo: order.out_trade_no, totalText: formatFen(order.total_fee) } });
    const result = await payAndConfirm(order, { cancel: this.cancel, onChecking: () => this.setData({ checking: true }) });
    if (result.state === 'left') return;
    this.setData({ paying: false, checking: false, payState: result.state, message: result.message });
    if (result.state === 'paid' || result.state === 'pending') {
      wx.redirectTo({ url: `/pages/order/order?out_trade_no=${order.out_trade_no}` });
    }
  },

  // 库存不足：服务端什么都没存（这个幂等键下没有订单，可以留着再用），也没有找微信。显示剩余件数，
  // 把数量调到不超过它；已售罄就不能再下单。
  // Too few left: the server stored nothing (no order under this key, which may be used again)
  // and asked WeChat nothing. Show what is left and bring the quantity within it.
  onOutOfStock(available) {
    const product = productView(this.data.product, available);
    const message = product.soldOut ? '已售罄' : `库存不足：仅剩 ${available} 件，已为你调整数量`;
    this.setData({
      paying: false,
      payState: 'failed',
      product,
      quantity: Math.max(1, Math.min(this.data.quantity, product.maxQuantity)),
      message,
    });
  },
});
