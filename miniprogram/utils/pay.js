// 调起支付：把服务端 POST /api/orders 返回的 `payment` 原样交给 wx.requestPayment。
// 沙箱模式（开发版且 config.sandbox，见 sandbox.js）下交给模拟器的 /sandbox/requestPayment：
// 它像微信客户端一样校验 paySign，然后「支付」并向服务端发送支付通知。
// 结果只表示用户在支付界面做了什么；订单是否已支付，以服务端为准（见 payment-result.js）。
//
// Hands the server's `payment` object, unchanged, to wx.requestPayment — or, in sandbox mode
// (a develop build with config.sandbox, see sandbox.js), to the simulator's
// /sandbox/requestPayment, which checks paySign as the WeChat client does, pays and sends the
// server the notify. The outcome only says what happened on the payment sheet; whether the
// order is paid is the server's to say (payment-result.js).
const config = require('../config');
const { sandboxEnabled } = require('./sandbox');

/** @typedef {{outcome: 'ok' | 'cancel' | 'fail', errMsg: string}} PayOutcome */

/**
 * 服务端 `POST /api/orders` 返回的 `payment`：wx.requestPayment 的参数，原样使用。
 * The server's `payment`: wx.requestPayment's parameters, used as they are.
 * @typedef {{timeStamp: string, nonceStr: string, package: string, signType: 'MD5' | 'HMAC-SHA256', paySign: string}} Payment
 */

function isCancel(errMsg) {
  return /^requestPayment:(fail )?cancel$/.test(errMsg || '');
}

/** @returns {PayOutcome} */
function outcomeOf(errMsg) {
  if (errMsg === 'requestPayment:ok') return { outcome: 'ok', errMsg };
  return { outcome: isCancel(errMsg) ? 'cancel' : 'fail', errMsg: errMsg || 'requestPayment:fail' };
}

/**
 * @param {Payment} payment
 * @returns {Promise<PayOutcome>}
 */
function wechatPay(payment) {
  return new Promise((resolve) => {
    wx.requestPayment({
      ...payment,
      success: (res) => resolve(outcomeOf((res && res.errMsg) || 'requestPayment:ok')),
      fail: (err) => resolve(outcomeOf(err && err.errMsg)),
    });
  });
}

function confirmSheet(amountText) {
  return new Promise((resolve) => {
    wx.showModal({
      title: '模拟支付',
      content: `沙箱环境，不会真实扣款。确认支付 ${amountText}？`,
      confirmText: '支付',
      cancelText: '取消',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    });
  });
}

/**
 * @param {Payment} payment
 * @param {string} amountText
 * @returns {Promise<PayOutcome>}
 */
async function sandboxPay(payment, amountText) {
  const confirmed = await confirmSheet(amountText);
  // 取消也交给模拟器：它同样先校验 paySign，再回答 requestPayment:fail cancel。
  // A cancel goes to the simulator too: it checks paySign first, then answers the cancel.
  const data = confirmed ? payment : { ...payment, cancel: true };
  return new Promise((resolve) => {
    wx.request({
      url: config.sandboxUrl.replace(/\/+$/, '') + '/sandbox/requestPayment',
      method: 'POST',
      data,
      header: { 'content-type': 'application/json' },
      timeout: config.requestTimeoutMs,
      success: (res) => {
        const body = /** @type {{errMsg?: string}} */ (typeof res.data === 'object' && res.data) || {};
        resolve(outcomeOf(body.errMsg));
      },
      fail: (err) => resolve({ outcome: 'fail', errMsg: (err && err.errMsg) || 'request:fail' }),
    });
  });
}

/**
 * @param {Payment} payment  服务端返回的 `payment`
 * @param {string} amountText 服务端金额的显示文本（只用于沙箱的确认框）
 * @returns {Promise<PayOutcome>}
 */
function requestPayment(payment, amountText) {
  return sandboxEnabled() ? sandboxPay(payment, amountText) : wechatPay(payment);
}

module.exports = { requestPayment, isCancel };
