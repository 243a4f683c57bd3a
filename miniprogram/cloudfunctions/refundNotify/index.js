// 退款结果通知（HTTP 触发的云函数）：用 wasm 核心检查 return_code / appid / mch_id 并解密 req_info
// （AES-256-ECB，密钥为 API 密钥的 MD5），再用核心的验收规则 judgeRefund 判断它是不是这笔退款的（订单号、金额、
// 微信退款单号、订单的交易号）以及状态该不该变，然后用一次条件更新改状态，写入成功后才回复 SUCCESS。
// 退款异常（CHANGE）不是终态：记为 CHANGE，之后的 SUCCESS / REFUNDCLOSE 照样生效；终态之后迟到的 CHANGE 只确认。
// 我们没有记录的退款（在商户平台上手工发起的）：照样记入 `refunds`（unknown: true，留给人工核对）并回复
// SUCCESS——钱已经退了，回复 FAIL 只会让微信一直重发。回复 FAIL 时只有一个固定的词，原因只写日志。
//
// The refund notify: return_code, appid and mch_id checked and req_info decrypted by the wasm
// core, then judged by the core's acceptance rule (`judgeRefund`: order, amounts, refund_id, the
// order's transaction_id, and the move along the refund state machine), applied in one
// conditional update from the status judged; SUCCESS only after it is stored. CHANGE (退款异常)
// is not final: a later SUCCESS or CLOSED is recorded over it. A refund we never stored (made by
// hand on the merchant platform) is recorded for a person (`unknown: true`) and acknowledged. A
// FAIL reply is one fixed word.
//
// 数据：集合 `refunds`，文档 {out_refund_no, out_trade_no, refund_fee, total_fee, refund_id, status, …}，
// 由发起退款的云函数写入（status: REQUESTED → APPROVED → PROCESSING → SUCCESS / CHANGE / CLOSED，或 REJECTED）；
// 订单的交易号从集合 `orders` 读取。订单已退金额 = 其 SUCCESS 退款之和（含手工退款），需要时再求和，所以一次条件
// 更新就是全部的状态变化。
// Data: collection `refunds`; the order's transaction_id is read from `orders`. An order's
// refunded total is the sum of its SUCCESS refunds (manual ones included), summed when needed.
const cloud = require('wx-server-sdk');
// wxpay/ 是仓库 pkg/ 的副本（scripts/build-wasm 同步，随函数一起上传）；notify 是只含通知处理的小入口。
// wxpay/ is a copy of the repository's pkg/, uploaded with the function; `notify` is its small entry point.
const wxpay = require('./wxpay/notify');
const { readBody, methodNotAllowed, respond } = require('./http-event');
const { loadRefund, addUnknownRefund, recordRefund } = require('./records');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

/** 条件更新落空（别的通知刚改过）后重新读取、重新判断的次数上限。 Re-reads after a lost race. */
const ATTEMPTS = 3;

let merchant = null;
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
  let n;
  try {
    n = getMerchant().decryptRefundNotify(body);
  } catch (e) {
    // 解密失败（密钥不对、密文被改）、appid / mch_id 不是我们的：不确认，不改数据。
    console.warn(`refund notify rejected: ${e.code || e.message}`);
    return false;
  }
  const db = cloud.database();
  const no = n.outRefundNo;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const found = await loadRefund(db, no);
    const v = wxpay.judgeRefund(found && found.stored, n);
    if (v.verdict === 'REFUSE') {
      console.warn(`refund notify for ${no} refused: ${v.code}: ${v.reason}`);
      return false;
    }
    if (v.verdict === 'ALREADY_RECORDED' || v.verdict === 'STALE') return true;

    if (v.verdict === 'RECORD_UNKNOWN') {
      // 不是我们发起的退款（商户平台手工退款）：记下来给人看（并发的重复通知只能写入一份）。
      console.warn(`refund notify for ${no}: a refund we did not start (${n.refundRequestSource || 'unknown source'}); recorded for a person`);
      const recorded = await addUnknownRefund(db, {
        out_refund_no: no,
        out_trade_no: n.outTradeNo,
        refund_fee: n.refundFee,
        total_fee: n.totalFee,
        refund_id: n.refundId,
        status: v.status,
        success_time: n.successTime || null,
        source: n.refundRequestSource || null,
      });
      if (recorded) return true;
      continue;
    }

    // RECORD：条件更新，只有仍是判断时的状态才改（records.js）。
    if (await recordRefund(db, found, v.status, n)) {
      if (v.status === 'CHANGE') console.error(`refund ${no}: 退款异常 (CHANGE); a person must act on the merchant platform`);
      return true;
    }
    // 没改到：退款刚被别的通知改过，重新读取再判断。
  }
  console.error(`refund notify for ${no}: the refund kept changing; not acknowledged`);
  return false;
}

exports.main = async (event, context) => {
  const refused = methodNotAllowed(event);
  if (refused) return refused;
  let ok;
  try {
    ok = await handle(readBody(event));
  } catch (e) {
    console.error(`refund notify not applied: ${e.message}`);
    ok = false;
  }
  // FAIL 只有一个固定的词（notifyReply 的默认值）。 FAIL is one fixed word, whatever the reason.
  return respond(event, wxpay.notifyReply(ok));
};
