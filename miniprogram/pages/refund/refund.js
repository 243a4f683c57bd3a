// 申请退款：选择原因（可补充说明），提交给服务端；商家同意后由服务端向微信发起退款。
// 退款金额由服务端决定（默认退还剩余全部），小程序不计算。
// Ask for a refund: pick a reason (and add details), submit; once the merchant approves,
// the server asks WeChat. The amount is the server's (default: all that is left).
const api = require('../../utils/api');
const { formatFen } = require('../../utils/money');
const { userMessage } = require('../../utils/errors');

const REASONS = ['不想要了', '拍错了/多拍了', '商品与描述不符', '其他'];
// 服务端接受 1–80 个字符（refund_desc）。
const MAX_REASON_CHARS = 80;

Page({
  data: {
    loading: true,
    errorText: '',
    order: null,
    reasons: REASONS,
    reasonIndex: -1,
    detail: '',
    maxDetail: 40,
    submitting: false,
  },

  onLoad(query) {
    this.outTradeNo = query.out_trade_no;
    return this.load();
  },

  async load() {
    try {
      const o = await api.getOrder(this.outTradeNo);
      this.setData({
        loading: false,
        order: { outTradeNo: o.out_trade_no, title: `${o.product_name} × ${o.quantity}`, amountText: formatFen(o.total_fee) },
      });
    } catch (e) {
      this.setData({ loading: false, errorText: userMessage(e) });
    }
  },

  onReasonChange(e) {
    this.setData({ reasonIndex: Number(e.detail.value) });
  },

  onDetailInput(e) {
    this.setData({ detail: e.detail.value });
  },

  /** 提交给服务端的 reason：所选原因，加上补充说明。 */
  reasonText() {
    const base = REASONS[this.data.reasonIndex];
    const detail = this.data.detail.trim();
    return Array.from(detail ? `${base}：${detail}` : base).slice(0, MAX_REASON_CHARS).join('');
  },

  async onSubmit() {
    if (this.data.submitting) return;
    if (this.data.reasonIndex < 0) {
      wx.showToast({ title: '请选择退款原因', icon: 'none' });
      return;
    }
    this.setData({ submitting: true, errorText: '' });
    try {
      await api.requestRefund(this.outTradeNo, this.reasonText());
    } catch (e) {
      const text = e.code === 'CONFLICT' ? '该订单当前不能退款（未支付，或已全部退款）' : userMessage(e);
      this.setData({ submitting: false, errorText: text });
      return;
    }
    this.setData({ submitting: false });
    wx.showToast({ title: '退款申请已提交', icon: 'success' });
    wx.navigateBack();
  },
});
