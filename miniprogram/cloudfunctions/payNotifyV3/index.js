// 支付结果通知，API v3（HTTP 触发的云函数）：v3-notify.js 先用 Wechatpay-* 请求头验签、再用 APIv3 密钥解密；事件
// TRANSACTION.SUCCESS 的资源（Transaction）先核对 appid / 商户号，再交给核心的验收规则 judgePayment（订单号、金额、
// 付款人、交易号），然后用一次条件更新把订单改为 PAID（重复通知只生效一次），写入成功后才回复 200。已关闭（CLOSED）
// 的订单收到支付成功通知：照样记为 PAID 并标记 paid_after_close，留给人工处理，与 v2 的 payNotify 相同。
//
// The payment notify of API v3: verified and decrypted by v3-notify.js; a TRANSACTION.SUCCESS
// resource (a `Transaction`) checked against our appid and merchant number, judged by the
// core's acceptance rule (`judgePayment`: order, amount, payer, transaction) and applied in one
// conditional update from the status judged, so duplicates apply once; 200 only once stored. A
// payment on a CLOSED order is recorded and flagged `paid_after_close`, as payNotify does.
//
// 数据：集合 `orders`，与 payNotify 相同（v3 下单没有签名类型，sign_type 留空）。
// Data: collection `orders`, as for payNotify (a v3 order has no sign type).
const cloud = require('wx-server-sdk');
const { serveNotify, wxpay } = require('./v3-notify');
const { storedOrder } = require('./records');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

/** 条件更新落空（别的通知刚改过订单）后重新读取、重新判断的次数上限。 Re-reads after a lost race. */
const ATTEMPTS = 3;

/** true：已写入（或无需写入），回复 200；false：拒绝，什么都没改。 Whether to acknowledge. */
async function handle(t, settings) {
  const no = t.outTradeNo;
  // 同一商户号下的另一个小程序的支付不是这里的订单。 Another app's payment is not ours.
  if (t.appId !== settings.appId || t.mchId !== settings.mchId) {
    console.warn(`payment notify for ${no} refused: ${t.appId !== settings.appId ? 'APPID_MISMATCH' : 'MCHID_MISMATCH'}`);
    return false;
  }
  const db = cloud.database();
  const orders = db.collection('orders');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = (await orders.where({ out_trade_no: no }).limit(1).get()).data[0] || null;
    const v = wxpay.judgePayment(order && storedOrder(order), t);
    if (v.verdict === 'REFUSE') {
      console.warn(`payment notify for ${no} refused: ${v.code}: ${v.reason}`);
      return false;
    }
    if (v.verdict !== 'RECORD') return true; // ALREADY_RECORDED（重复通知）、NOTHING_TO_RECORD

    // 条件更新：只有仍是判断时的状态才改，并发的重复通知只有一个生效。
    const from = v.afterClose ? 'CLOSED' : 'NOTPAY';
    const data = { status: 'PAID', transaction_id: t.transactionId, success_time: t.successTime || null, paid_at: db.serverDate() };
    if (v.afterClose) data.paid_after_close = true;
    const res = await orders.where({ out_trade_no: no, status: from }).update({ data });
    if (res.stats.updated === 1) {
      if (v.afterClose) console.error(`payment notify for ${no}: paid after the order was closed; recorded, needs a person`);
      return true;
    }
    // 没改到：订单刚被别的通知改过，重新读取再判断。
  }
  throw new Error(`the order ${no} kept changing`);
}

exports.main = async (event, context) => serveNotify(event, { what: 'payment notify', eventTypes: ['TRANSACTION.SUCCESS'], handle });
