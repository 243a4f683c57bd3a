// 支付结果通知（HTTP 触发的云函数）：用 wasm 核心验签（appid / mch_id / 报文规则），再用核心的验收规则
// judgePayment 判断这份通知是不是这张订单的（订单号、签名类型与下单时一致、金额、付款人、交易号），然后用一次条件
// 更新把订单改为 PAID（重复通知只生效一次），写入成功后才回复 SUCCESS。已关闭（CLOSED）的订单收到支付成功通知：
// 钱已经付了，照样记为 PAID 并标记 paid_after_close，留给人工处理（退款或发货）——拒绝只会让微信重发一整天。
// 回复 FAIL 时只有一个固定的词，不说哪一项没通过（原因只写日志）。密钥只来自环境变量：WXPAY_APPID、
// WXPAY_MCH_ID、WXPAY_API_KEY。
//
// The payment notify (an HTTP-triggered cloud function): verified by the wasm core, judged by the
// core's acceptance rule (`judgePayment`: the order's number, the sign type it was placed with,
// amount, payer, transaction), then moved to PAID in one conditional update from the status
// judged, so duplicates apply once; SUCCESS only after that is stored. A payment on an order we
// closed is recorded all the same, CLOSED → PAID flagged `paid_after_close` for a person, as
// wxpay-server does. A FAIL reply is one fixed word: the reason goes to the log only.
//
// 数据：集合 `orders`，文档 {out_trade_no, openid, total_fee, sign_type: 'MD5' | 'HMAC-SHA256',
// status: 'NOTPAY' | 'PAID' | 'CLOSED', transaction_id, …}，由下单的云函数写入（sign_type 是统一下单用的签名类型；
// 没有它则不限定通知的签名类型）。 Data: collection `orders`, written by the function that
// creates orders, with the sign type its unifiedorder used (without one, a notify's is not pinned).
const cloud = require('wx-server-sdk');
// wxpay/ 是仓库 pkg/ 的副本（scripts/build-wasm 同步，随函数一起上传）；notify 是只含通知处理的小入口。
// wxpay/ is a copy of the repository's pkg/, uploaded with the function; `notify` is its small entry point.
const wxpay = require('./wxpay/notify');
const { readBody, methodNotAllowed, respond } = require('./http-event');
const { storedOrder } = require('./records');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

/** 条件更新落空（别的通知刚改过订单）后重新读取、重新判断的次数上限。 Re-reads after a lost race. */
const ATTEMPTS = 3;

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

/** true：回复 SUCCESS；false：回复 FAIL（什么都没改）。 Whether to acknowledge. */
async function handle(body) {
  let notify;
  try {
    notify = getMerchant().verifyPaymentNotify(body);
  } catch (e) {
    // 签名错误、appid / mch_id 不是我们的、报文不合法：不确认，也不改任何数据。
    console.warn(`payment notify rejected: ${e.code || e.message}`);
    return false;
  }
  const db = cloud.database();
  const orders = db.collection('orders');
  const no = notify.outTradeNo;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = (await orders.where({ out_trade_no: no }).limit(1).get()).data[0] || null;
    const v = wxpay.judgePayment(order && storedOrder(order), notify);
    if (v.verdict === 'REFUSE') {
      console.warn(`payment notify for ${no} refused: ${v.code}: ${v.reason}`);
      return false;
    }
    if (v.verdict !== 'RECORD') return true; // ALREADY_RECORDED（重复通知）、NOTHING_TO_RECORD（支付失败）

    // 条件更新：只有仍是判断时的状态才改，并发的重复通知只有一个生效。
    const from = v.afterClose ? 'CLOSED' : 'NOTPAY';
    const data = { status: 'PAID', transaction_id: notify.transactionId, time_end: notify.timeEnd, paid_at: db.serverDate() };
    if (v.afterClose) data.paid_after_close = true;
    const res = await orders.where({ out_trade_no: no, status: from }).update({ data });
    if (res.stats.updated === 1) {
      if (v.afterClose) console.error(`payment notify for ${no}: paid after the order was closed; recorded, needs a person`);
      return true;
    }
    // 没改到：订单刚被别的通知改过，重新读取再判断。
  }
  console.error(`payment notify for ${no}: the order kept changing; not acknowledged`);
  return false;
}

exports.main = async (event, context) => {
  const refused = methodNotAllowed(event);
  if (refused) return refused;
  let ok;
  try {
    ok = await handle(readBody(event));
  } catch (e) {
    // 数据库出错等：回复 FAIL，微信稍后会重发。
    console.error(`payment notify not applied: ${e.message}`);
    ok = false;
  }
  // FAIL 只有一个固定的词（notifyReply 的默认值）。 FAIL is one fixed word, whatever the reason.
  return respond(event, wxpay.notifyReply(ok));
};
