// 退款结果通知，API v3（HTTP 触发的云函数）：v3-notify.js 先验签、再解密；事件 REFUND.SUCCESS / REFUND.ABNORMAL /
// REFUND.CLOSED 的资源先核对商户号，再交给核心的验收规则 judgeRefund（订单号、金额、微信退款单号、订单的交易号，以及
// 状态该不该变），然后用一次条件更新改状态，写入成功后才回复 200。退款异常（ABNORMAL）按 v2 的 CHANGE 记录（状态名取
// 自判断结果）：不是终态，需要有人处理（商户平台，或“发起异常退款”接口），之后的 SUCCESS / CLOSED 照样生效。我们
// 没有记录的退款（在商户平台上手工发起的）：照样记入 `refunds`（unknown: true，留给人工核对）并确认。
//
// The refund notify of API v3: verified and decrypted by v3-notify.js; a REFUND.SUCCESS,
// REFUND.ABNORMAL or REFUND.CLOSED resource checked against our merchant number, judged by the
// core's acceptance rule (`judgeRefund`) and applied in one conditional update; 200 only once
// stored. ABNORMAL is stored as the verdict names it, CHANGE: not final, a person must act. A
// refund we never stored (made by hand on the merchant platform) is recorded for a person
// (`unknown: true`) and acknowledged.
//
// 数据：集合 `refunds` 和 `orders`，与 refundNotify 相同。 Data: as for refundNotify.
const cloud = require('wx-server-sdk');
const { serveNotify, wxpay } = require('./v3-notify');
const { loadRefund, addUnknownRefund, recordRefund } = require('./records');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

/** 条件更新落空（别的通知刚改过）后重新读取、重新判断的次数上限。 Re-reads after a lost race. */
const ATTEMPTS = 3;

/** true：已写入（或无需写入），回复 200；false：拒绝，什么都没改。 Whether to acknowledge. */
async function handle(n, settings) {
  const no = n.outRefundNo;
  if (n.mchId !== settings.mchId) {
    console.warn(`refund notify for ${no} refused: MCHID_MISMATCH`);
    return false;
  }
  const db = cloud.database();
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
      console.warn(`refund notify for ${no}: a refund we did not start; recorded for a person`);
      const recorded = await addUnknownRefund(db, {
        out_refund_no: no,
        out_trade_no: n.outTradeNo,
        refund_fee: n.amount.refund,
        total_fee: n.amount.total,
        refund_id: n.refundId,
        status: v.status,
        success_time: n.successTime || null,
        user_received_account: n.userReceivedAccount || null,
      });
      if (recorded) return true;
      continue;
    }

    // RECORD：条件更新，只有仍是判断时的状态才改（records.js）。
    if (await recordRefund(db, found, v.status, n)) {
      if (v.status === 'CHANGE') console.error(`refund ${no}: 退款异常 (ABNORMAL, stored CHANGE); a person must act on the merchant platform`);
      return true;
    }
    // 没改到：退款刚被别的通知改过，重新读取再判断。
  }
  throw new Error(`the refund ${no} kept changing`);
}

exports.main = async (event, context) =>
  serveNotify(event, { what: 'refund notify', eventTypes: ['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'], handle });
