// 支付结果通知（HTTP 触发的云函数）：用 wasm 核心验签，校验 appid / mch_id / 金额 / 付款人，
// 然后用一次条件更新把订单从 NOTPAY 改为 PAID（重复通知只生效一次），写入成功后才回复 SUCCESS。
// 已关闭（CLOSED）的订单收到支付成功通知：钱已经付了，照样记为 PAID 并标记 paid_after_close，
// 留给人工处理（退款或发货），并回复 SUCCESS——拒绝只会让微信重发一整天，钱还是在商户这里。
// 密钥只来自环境变量：WXPAY_APPID、WXPAY_MCH_ID、WXPAY_API_KEY。
//
// The payment notify (an HTTP-triggered cloud function): verified by the wasm core, checked
// against the order (appid, mch_id, amount, payer), then NOTPAY → PAID in one conditional
// update, so duplicates apply once; SUCCESS is answered only after that is stored. A payment
// on an order we closed is recorded all the same, CLOSED → PAID flagged `paid_after_close` for
// a person (refund or fulfil), as wxpay-server does: refusing it would only bring a day of
// retries for money that has been paid. Secrets come from environment variables only.
//
// 数据：集合 `orders`，文档 {out_trade_no, openid, total_fee, status: 'NOTPAY' | 'PAID' | 'CLOSED', …}，
// 由下单的云函数写入。 Data: collection `orders`, written by the function that creates orders.
const cloud = require('wx-server-sdk');
// wxpay/ 是仓库 pkg/ 的副本（scripts/build-wasm 同步，随函数一起上传）；notify 是只含通知处理的小入口。
// wxpay/ is a copy of the repository's pkg/, uploaded with the function; `notify` is its small entry point.
const wxpay = require('./wxpay/notify');
const { readBody, methodNotAllowed, respond } = require('./http-event');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

let merchant = null;
/** 第一次调用时从环境变量读取商户配置（密钥只进入 WebAssembly，不出现在任何输出里）。 */
function getMerchant() {
  if (!merchant) {
    const { WXPAY_APPID: appId, WXPAY_MCH_ID: mchId, WXPAY_API_KEY: key } = process.env;
    if (!appId || !mchId || !key) throw new Error('WXPAY_APPID, WXPAY_MCH_ID and WXPAY_API_KEY must be set');
    merchant = new wxpay.Merchant({ appId, mchId, key });
  }
  return merchant;
}

async function handle(body) {
  let notify;
  try {
    notify = getMerchant().verifyPaymentNotify(body);
  } catch (e) {
    // 签名错误、appid / mch_id 不是我们的、报文不合法：不确认，也不改任何数据。
    console.warn(`payment notify rejected: ${e.code || e.message}`);
    return [false, e.code || 'CONFIG'];
  }
  // result_code=FAIL：这笔支付没有成功，没有状态要改；确认收到即可。
  if (notify.resultCode !== 'SUCCESS') return [true];

  const db = cloud.database();
  const orders = db.collection('orders');
  const no = notify.outTradeNo;
  const { data } = await orders.where({ out_trade_no: no }).limit(1).get();
  const order = data[0];
  if (!order) return [false, 'ORDER_NOT_FOUND'];
  if (order.total_fee !== notify.totalFee) {
    console.warn(`payment notify for ${no}: ${notify.totalFee} fen, the order is ${order.total_fee}`);
    return [false, 'AMOUNT_MISMATCH'];
  }
  if (order.openid && order.openid !== notify.openid) return [false, 'PAYER_MISMATCH'];
  if (order.status === 'PAID') return order.transaction_id === notify.transactionId ? [true] : [false, 'ALREADY_PAID'];

  // 条件更新：只有仍是 NOTPAY（或已关闭）的订单会被改，并发的重复通知只有一个生效。
  const paid = { status: 'PAID', transaction_id: notify.transactionId, time_end: notify.timeEnd, paid_at: db.serverDate() };
  for (const from of ['NOTPAY', 'CLOSED']) {
    const data = from === 'CLOSED' ? { ...paid, paid_after_close: true } : paid;
    const res = await orders.where({ out_trade_no: no, status: from }).update({ data });
    if (res.stats.updated === 1) {
      if (from === 'CLOSED') console.error(`payment notify for ${no}: paid after the order was closed; recorded, needs a person`);
      return [true];
    }
  }
  // 没改到：另一个重复通知刚刚改过（同一笔交易则确认）。
  const again = (await orders.where({ out_trade_no: no }).limit(1).get()).data[0];
  if (again && again.status === 'PAID' && again.transaction_id === notify.transactionId) return [true];
  console.error(`payment notify for ${no}: order is ${again && again.status}, transaction ${again && again.transaction_id}`);
  return [false, again && again.status === 'PAID' ? 'ALREADY_PAID' : 'ORDER_NOT_PAYABLE'];
}

exports.main = async (event, context) => {
  const refused = methodNotAllowed(event);
  if (refused) return refused;
  let ok;
  let message;
  try {
    [ok, message] = await handle(readBody(event));
  } catch (e) {
    // 数据库出错等：回复 FAIL，微信稍后会重发。
    console.error(`payment notify not applied: ${e.message}`);
    [ok, message] = [false, 'RETRY_LATER'];
  }
  return respond(event, wxpay.notifyReply(ok, message));
};
